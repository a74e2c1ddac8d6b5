package main

import (
	"slices"
	"strconv"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
)

// settingFlag is a setting's flag: a switch, or a value, or with list a comma list of values.
func settingFlag(s *engine.Setting, list bool, value string) cli.Flag {
	if s.Kind == engine.KindSwitch {
		return &cli.BoolFlag{Name: s.Flag, Aliases: s.Aliases, Usage: s.Help}
	}
	usage := s.Help
	if list {
		usage += " (list)"
	}
	return &cli.StringFlag{Name: s.Flag, Aliases: s.Aliases, Value: value, Usage: usage}
}

// settingFlags are the flags of the settings keep accepts, one value each, with chimera's defaults.
func settingFlags(keep func(*engine.Setting) bool) []cli.Flag {
	var flags []cli.Flag
	for _, s := range engine.Settings {
		if keep(s) {
			flags = append(flags, settingFlag(s, false, s.Default()))
		}
	}
	return flags
}

// configFlags are the flags of every setting of one LLM configuration.
func configFlags() []cli.Flag { return settingFlags(func(*engine.Setting) bool { return true }) }

// inScopes keeps the settings of the scopes given.
func inScopes(scopes ...engine.Scope) func(*engine.Setting) bool {
	return func(s *engine.Setting) bool { return slices.Contains(scopes, s.Scope) }
}

// axisFlags are the list flags of the axis settings keep accepts, and the single-value flags of its other
// settings but --fit and its target, which would change num_gpu behind the grid's back. defaults replaces
// chimera's default of a setting by name.
func axisFlags(keep func(*engine.Setting) bool, defaults map[string]string) []cli.Flag {
	var flags []cli.Flag
	for _, s := range engine.Settings {
		value, own := defaults[s.Name]
		if !own {
			value = s.Default()
		}
		switch {
		case !keep(s) || s.Name == "fit" || s.Name == "fit_target":
		case s.Axis && shorthandOf(s) != nil:
			flags = append(flags, &cli.StringFlag{Name: s.Flag, Aliases: s.Aliases, Usage: s.Help + " (list)", DefaultText: "--" + shorthandOf(s).Flag})
		case s.Axis:
			flags = append(flags, settingFlag(s, true, value))
		default:
			flags = append(flags, settingFlag(s, false, value))
		}
	}
	return flags
}

// sideFlags are the settings of compare and multi: the plain flags set every side, and each side's --PREFIX-X,
// grouped by side in the help, overrides X for that side alone.
func sideFlags(sides ...side) []cli.Flag {
	flags := configFlags() // uncategorized, so the help lists them first
	for _, s := range sides {
		for _, setting := range engine.Settings {
			flags = append(flags, overrideFlag(setting, s))
		}
	}
	return flags
}

// side is one configuration of compare or multi: its flags are --PREFIX-X.
type side struct{ prefix, name string }

// overrideFlag is a setting's flag renamed for one side, without a default of its own: unset, the plain flag's
// value applies.
func overrideFlag(setting *engine.Setting, s side) cli.Flag {
	name, category, plain := s.prefix+setting.Flag, s.name+" overrides", "--"+setting.Flag
	usage := s.name + ": " + setting.Help
	if setting.Kind == engine.KindSwitch {
		return &cli.BoolFlag{Name: name, Usage: usage, Category: category, DefaultText: plain}
	}
	return &cli.StringFlag{Name: name, Usage: usage, Category: category, DefaultText: plain}
}

// givenFlag is the flag that sets a setting for the side with prefix: --PREFIX-X where given, else --X where given;
// "" when neither was.
func givenFlag(c *cli.Context, prefix string, s *engine.Setting) string {
	if prefix != "" && c.IsSet(prefix+s.Flag) {
		return prefix + s.Flag
	}
	if c.IsSet(s.Flag) {
		return s.Flag
	}
	return ""
}

// flagText is a flag's value as the setting reads it.
func flagText(c *cli.Context, name string, s *engine.Setting) string {
	if s.Kind == engine.KindSwitch {
		return strconv.FormatBool(c.Bool(name))
	}
	return c.String(name)
}

// readConfig reads one configuration: chimera's defaults, and every setting given, from --PREFIX-X where that was
// given, else from --X. With an empty prefix it reads the plain flags. Shorthands come first in the table, so that
// --cache-type-k overrides what --cache-type set.
func readConfig(c *cli.Context, prefix string) (engine.Config, error) {
	return readSettings(c, prefix, func(*engine.Setting) bool { return true })
}

// readSettings is readConfig for the settings keep accepts.
func readSettings(c *cli.Context, prefix string, keep func(*engine.Setting) bool) (engine.Config, error) {
	cfg := engine.DefaultConfig()
	for _, s := range engine.Settings {
		if name := givenFlag(c, prefix, s); name != "" && keep(s) && !sideShorthandOutranks(c, prefix, s, name) {
			if err := s.Set(&cfg, flagText(c, name, s)); err != nil {
				return cfg, err
			}
		}
	}
	return cfg, engine.Invalid(cfg.Validate())
}

// readAxes reads the list flags of the axis settings keep accepts. A shorthand's list, given or its default, stands
// for its settings' lists where those were not given (--cache-type for --cache-type-k and --cache-type-v); the
// shorthand is no axis of its own.
func readAxes(c *cli.Context, keep func(*engine.Setting) bool) ([]engine.Axis, error) {
	var axes []engine.Axis
	for _, s := range engine.Settings {
		if !s.Axis || !keep(s) || s.Sets != nil {
			continue
		}
		list := c.String(s.Flag)
		if short := shorthandOf(s); short != nil && !c.IsSet(s.Flag) {
			list = c.String(short.Flag) // given or the command's default
		}
		values, err := s.ParseValues(list)
		if err != nil {
			return nil, err
		}
		axes = append(axes, engine.Axis{Setting: s, Values: values})
	}
	return axes, nil
}

// sideShorthandOutranks reports whether a side's shorthand (--baseline-cache-type) was given where only the plain
// flag of one of its settings (--cache-type-k) was: the side's own flag is the more specific instruction.
func sideShorthandOutranks(c *cli.Context, prefix string, s *engine.Setting, name string) bool {
	short := shorthandOf(s)
	return short != nil && prefix != "" && name == s.Flag && c.IsSet(prefix+short.Flag)
}

// shorthandOf is the setting that sets s among others; nil when there is none.
func shorthandOf(s *engine.Setting) *engine.Setting {
	for _, short := range engine.Settings {
		if slices.Contains(short.Sets, s.Name) {
			return short
		}
	}
	return nil
}

// notAxis keeps the settings a grid command reads with readSettings; it reads the others with readAxes.
func notAxis(s *engine.Setting) bool { return !s.Axis }

// both keeps the settings both filters keep.
func both(a, b func(*engine.Setting) bool) func(*engine.Setting) bool {
	return func(s *engine.Setting) bool { return a(s) && b(s) }
}
