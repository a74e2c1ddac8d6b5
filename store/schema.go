package store

import (
	"context"
	"database/sql"
	"fmt"
)

// schemaSteps builds the schema; a database's user_version is the number of
// steps it has had. Append a step to change the schema; never edit one.
var schemaSteps = []string{
	// 1: runs, the agents inside them and their LLM calls.
	// AUTOINCREMENT keeps run ids, which users quote, from ever being reused.
	`CREATE TABLE runs (
		id              INTEGER PRIMARY KEY AUTOINCREMENT,
		kind            TEXT    NOT NULL,
		status          TEXT    NOT NULL,
		started_at      TEXT    NOT NULL,
		ended_at        TEXT,
		command_line    TEXT    NOT NULL DEFAULT '',
		config_json     TEXT    NOT NULL DEFAULT '',
		model_ref       TEXT    NOT NULL DEFAULT '',
		model_path      TEXT    NOT NULL DEFAULT '',
		model_sha256    TEXT    NOT NULL DEFAULT '',
		model_file_type TEXT    NOT NULL DEFAULT '',
		model_synthetic INTEGER NOT NULL DEFAULT 0,
		host            TEXT    NOT NULL DEFAULT '',
		build_info      TEXT    NOT NULL DEFAULT '',
		error           TEXT    NOT NULL DEFAULT '',
		parent_id       INTEGER REFERENCES runs(id),
		label           TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX runs_by_kind ON runs(kind, id);
	CREATE INDEX runs_by_parent ON runs(parent_id);

	CREATE TABLE agent_runs (
		id          INTEGER PRIMARY KEY,
		run_id      INTEGER NOT NULL REFERENCES runs(id),
		agent       TEXT    NOT NULL,
		label       TEXT    NOT NULL DEFAULT '',
		config_json TEXT    NOT NULL DEFAULT '',
		repetition  INTEGER NOT NULL DEFAULT 0,
		ingest_ms   REAL    NOT NULL DEFAULT 0,
		analysis_ms REAL    NOT NULL DEFAULT 0,
		report_ms   REAL    NOT NULL DEFAULT 0,
		total_ms    REAL    NOT NULL DEFAULT 0,
		report_path TEXT    NOT NULL DEFAULT '',
		status      TEXT    NOT NULL
	);
	CREATE INDEX agent_runs_by_run ON agent_runs(run_id);

	CREATE TABLE llm_calls (
		id             INTEGER PRIMARY KEY,
		run_id         INTEGER NOT NULL REFERENCES runs(id),
		agent_run_id   INTEGER REFERENCES agent_runs(id),
		stage          TEXT    NOT NULL,
		seq            INTEGER NOT NULL,
		prompt         TEXT    NOT NULL DEFAULT '',
		response       TEXT    NOT NULL DEFAULT '',
		prompt_tokens  INTEGER NOT NULL DEFAULT 0,
		prompt_trimmed INTEGER NOT NULL DEFAULT 0,
		gen_tokens     INTEGER NOT NULL DEFAULT 0,
		ttft_ms        REAL    NOT NULL DEFAULT 0,
		prompt_eval_ms REAL    NOT NULL DEFAULT 0,
		eval_ms        REAL    NOT NULL DEFAULT 0,
		total_ms       REAL    NOT NULL DEFAULT 0,
		prompt_tps     REAL    NOT NULL DEFAULT 0,
		decode_tps     REAL    NOT NULL DEFAULT 0,
		load_ms        REAL    NOT NULL DEFAULT 0,
		timings_json   TEXT    NOT NULL DEFAULT '',
		started_at     TEXT
	);
	CREATE INDEX llm_calls_by_run ON llm_calls(run_id, seq);
	CREATE INDEX llm_calls_by_agent_run ON llm_calls(agent_run_id);`,

	// 2: what the agents read, extracted and wrote.
	`CREATE TABLE files (
		id             INTEGER PRIMARY KEY,
		run_id         INTEGER NOT NULL REFERENCES runs(id),
		path           TEXT    NOT NULL,
		kind           TEXT    NOT NULL DEFAULT '',
		bytes          INTEGER NOT NULL DEFAULT 0,
		sha256         TEXT    NOT NULL DEFAULT '',
		rows           INTEGER NOT NULL DEFAULT 0,
		skipped_reason TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX files_by_run ON files(run_id);

	CREATE TABLE facts (
		id      INTEGER PRIMARY KEY,
		run_id  INTEGER NOT NULL REFERENCES runs(id),
		fact_id TEXT    NOT NULL,
		kind    TEXT    NOT NULL DEFAULT '',
		text    TEXT    NOT NULL DEFAULT '',
		source  TEXT    NOT NULL DEFAULT '',
		field   TEXT    NOT NULL DEFAULT '',
		value   TEXT    NOT NULL DEFAULT '',
		unit    TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX facts_by_run ON facts(run_id);

	CREATE TABLE reports (
		id           INTEGER PRIMARY KEY,
		run_id       INTEGER NOT NULL REFERENCES runs(id),
		agent_run_id INTEGER REFERENCES agent_runs(id),
		name         TEXT    NOT NULL,
		path         TEXT    NOT NULL DEFAULT '',
		markdown     TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX reports_by_run ON reports(run_id);`,

	// 3: raw llama-bench style results.
	`CREATE TABLE bench_results (
		id              INTEGER PRIMARY KEY,
		run_id          INTEGER NOT NULL REFERENCES runs(id),
		test            TEXT    NOT NULL,
		n_prompt        INTEGER NOT NULL DEFAULT 0,
		n_gen           INTEGER NOT NULL DEFAULT 0,
		n_gpu_layers    INTEGER NOT NULL DEFAULT 0,
		n_ctx           INTEGER NOT NULL DEFAULT 0,
		n_batch         INTEGER NOT NULL DEFAULT 0,
		n_ubatch        INTEGER NOT NULL DEFAULT 0,
		n_threads       INTEGER NOT NULL DEFAULT 0,
		flash_attn      INTEGER NOT NULL DEFAULT 0,
		type_k          TEXT    NOT NULL DEFAULT '',
		type_v          TEXT    NOT NULL DEFAULT '',
		avg_ns          INTEGER NOT NULL DEFAULT 0,
		stddev_ns       INTEGER NOT NULL DEFAULT 0,
		avg_ts          REAL    NOT NULL DEFAULT 0,
		stddev_ts       REAL    NOT NULL DEFAULT 0,
		samples_ns_json TEXT    NOT NULL DEFAULT 'null',
		samples_ts_json TEXT    NOT NULL DEFAULT 'null',
		extra_json      TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX bench_results_by_run ON bench_results(run_id);`,

	// 4: the depth a bench test started at (llama-bench's n_depth).
	`ALTER TABLE bench_results ADD COLUMN n_depth INTEGER NOT NULL DEFAULT 0;`,

	// 5: the flash attention mode a bench test asked for (auto, on, off); flash_attn is whether it was used.
	`ALTER TABLE bench_results ADD COLUMN flash_attn_mode TEXT NOT NULL DEFAULT '';`,

	// 6: the process that started a run and the boot it ran in, so that a run whose process died is found.
	`ALTER TABLE runs ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE runs ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';`,

	// 7: per call, the exact text given to the tokenizer (the chat template applied to the messages) and why
	// generation stopped, so that a call can be replayed on another engine and its length judged.
	`ALTER TABLE llm_calls ADD COLUMN rendered_prompt TEXT NOT NULL DEFAULT '';
	ALTER TABLE llm_calls ADD COLUMN stop_reason TEXT NOT NULL DEFAULT '';`,

	// 8: a run's identity across machines, a random (version 4) UUID, given here to the runs already recorded,
	// and the GPUs the run's process saw, so that logs of several machines can be merged and compared.
	`ALTER TABLE runs ADD COLUMN uuid TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN gpus TEXT NOT NULL DEFAULT '';
	UPDATE runs SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
		substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
		substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
	CREATE UNIQUE INDEX runs_by_uuid ON runs(uuid);`,

	// 9: a bench result's configuration by the names of chimera's settings table, given here to the results
	// already recorded from their llama-bench columns and row JSON.
	`ALTER TABLE bench_results ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}';` + nameBenchSettings,
}

// uuidVersion is the schema version whose step gave runs their UUIDs.
const uuidVersion = 8

// nameBenchSettings writes the settings of the bench results that have none (recorded before schema v9, or
// imported from a file written then) from their columns and row JSON: the load and context settings a bench grid
// varies, in the settings table's order, each written as the table writes it (num_gpu -1 is all, a tensor split or
// devices left to llama.cpp are auto). A row JSON recorded before a setting existed holds it at its default. Part
// of schema step 9: a change here is a new step.
const nameBenchSettings = `
	UPDATE bench_results SET settings_json = (
		SELECT json_object(
			'num_gpu', CASE n_gpu_layers WHEN -1 THEN 'all' ELSE CAST(n_gpu_layers AS TEXT) END,
			'split_mode', coalesce(nullif(json_extract(extra, '$.split_mode'), ''), 'layer'),
			'main_gpu', CAST(coalesce(json_extract(extra, '$.main_gpu'), 0) AS TEXT),
			'tensor_split', coalesce(nullif(json_extract(extra, '$.tensor_split'), ''), 'auto'),
			'devices', coalesce(nullif(json_extract(extra, '$.devices'), ''), 'auto'),
			'num_ctx', CAST(n_ctx AS TEXT),
			'batch', CAST(n_batch AS TEXT),
			'ubatch', CAST(n_ubatch AS TEXT),
			'threads', CAST(n_threads AS TEXT),
			'threads_batch', CAST(coalesce(json_extract(extra, '$.n_threads_batch'), n_threads) AS TEXT),
			'flash_attn', coalesce(nullif(flash_attn_mode, ''), CASE flash_attn WHEN 0 THEN 'off' ELSE 'on' END),
			'op_offload', CASE WHEN json_extract(extra, '$.no_op_offload') THEN 'off' ELSE 'on' END,
			'cache_type_k', type_k,
			'cache_type_v', type_v)
		FROM (SELECT CASE WHEN json_valid(extra_json) THEN extra_json ELSE '{}' END AS extra))
	WHERE settings_json = '{}';`

// migrate applies the steps the database lacks, one transaction per step.
func (db *DB) migrate(ctx context.Context, steps []string) error {
	for {
		applied, err := db.applyNextStep(ctx, steps)
		if err != nil || !applied {
			return err
		}
	}
}

// applyNextStep applies the step after the database's version, if any. The
// version is read inside the step's write transaction, so processes opening a
// new database at the same time apply each step exactly once.
func (db *DB) applyNextStep(ctx context.Context, steps []string) (applied bool, err error) {
	err = db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		applied = false
		var version int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if version > len(steps) {
			return fmt.Errorf("%w (schema v%d, this build knows v%d)", ErrNewerSchema, version, len(steps))
		}
		if version == len(steps) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, steps[version]); err != nil {
			return fmt.Errorf("migrate schema to v%d: %w", version+1, err)
		}
		// PRAGMA takes no bound parameters.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
			return fmt.Errorf("migrate schema to v%d: %w", version+1, err)
		}
		applied = true
		return nil
	})
	return applied, err
}
