package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// markAbandoned ends the runs of this host that are still marked running although the process that started them
// is gone (killed, crashed) or the machine has restarted since: they are shown as abandoned, with the reason,
// instead of running for ever. A run whose process still lives is left alone, whatever its age.
func (db *DB) markAbandoned(ctx context.Context) error {
	return db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stale, err := staleRuns(ctx, tx)
		if err != nil {
			return err
		}
		now := time.Now()
		for id, reason := range stale {
			if _, err := tx.ExecContext(ctx, "UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE id = ? AND status = ?",
				StatusAbandoned, timeText{&now}, reason, id, StatusRunning); err != nil {
				return fmt.Errorf("mark run %d abandoned: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE agent_runs SET status = ? WHERE run_id = ? AND status = ?",
				StatusAbandoned, id, StatusRunning); err != nil {
				return fmt.Errorf("mark run %d abandoned: %w", id, err)
			}
		}
		return nil
	})
}

// staleRuns are this host's running runs whose process is gone, with why they were abandoned.
func staleRuns(ctx context.Context, tx *sql.Tx) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, pid, boot_id FROM runs WHERE status = ? AND host = ? AND pid > 0",
		StatusRunning, hostname())
	if err != nil {
		return nil, fmt.Errorf("find abandoned runs: %w", err)
	}
	defer rows.Close()
	stale := map[int64]string{}
	boot := bootID()
	for rows.Next() {
		var id int64
		var pid int
		var runBoot string
		if err := rows.Scan(&id, &pid, &runBoot); err != nil {
			return nil, fmt.Errorf("find abandoned runs: %w", err)
		}
		switch {
		case runBoot != boot:
			stale[id] = "abandoned: the machine restarted while the run was going"
		case !processAlive(pid):
			stale[id] = fmt.Sprintf("abandoned: its process (pid %d) ended without finishing the run (killed or crashed)", pid)
		}
	}
	return stale, rows.Err()
}

// processAlive reports whether pid is a process that can still finish its run: it exists and is not a zombie.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: existence is all there is to go by
	}
	// The state follows the parenthesised command name, which may itself contain ") ".
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) == 0 || fields[0] != "Z"
}

// bootID identifies the current boot of the machine; "" where the kernel does not say.
func bootID() string {
	id, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(id))
}

// hostname is the machine's name as runs record it; "" where it cannot be read.
func hostname() string {
	name, err := os.Hostname()
	if err != nil {
		return ""
	}
	return name
}
