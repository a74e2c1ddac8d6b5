// Package store keeps the log of every chimera run in one SQLite database. The
// log is the user's benchmark evidence, so the package is built to lose
// nothing: to crashes, to interrupts, or to several chimera processes writing
// the same file at once.
//
// # Schema
//
// A run (table runs) is one chimera invocation or one unit of it: an agent
// workflow, a compare, a sweep, a multi-agent run, a raw bench or a plain
// generation. Runs nest through parent_id; a sweep's cells, for instance, are
// runs whose parent is the sweep. Every other table belongs to one run:
//
//   - agent_runs: one agent (collector, insight, ...) executing inside the run, with its stage timings
//   - llm_calls: every prompt sent to the model (for agent calls also the exact text the tokenizer was given), its
//     response, why it stopped and its timings, tied to an agent run when there is one
//   - files and facts: the input files an agent read and the facts it extracted from them
//   - reports: the markdown each agent wrote
//   - bench_results: llama-bench style measurements, one row per test
//
// Timestamps are UTC text in a fixed-width RFC 3339 form (nanoseconds always
// written), so they sort as text. Booleans are 0 or 1. An optional reference
// to another row is NULL in the database and 0 in the Go records.
//
// # Versions
//
// The schema is built by an ordered list of steps, and PRAGMA user_version
// counts the steps a database has had. Open applies the missing ones, each in
// its own transaction, so an older database is upgraded in place and keeps
// its rows. A database with more steps than this build knows was written by a
// newer chimera; it is refused rather than written with an outdated idea of
// its schema. Released steps are never edited: a change is a new step.
//
// # Exchange
//
// A run has a UUID beside its local id. Export writes runs, their descendants
// and everything under them to a SQLite file or JSONL; Import adds such a file,
// or another machine's database, as untrusted input: read-only, bounded, its
// schema required to be exactly chimera's, checked field by field, written in
// one transaction and idempotent by UUID.
//
// # Concurrency
//
// A DB is safe for concurrent use, and any number of processes may open the
// same file. The database runs in WAL mode, so readers never block the writer.
// Every write is one transaction that takes the write lock when it begins,
// waits for a busy lock, and is retried whole if the lock stays busy, so
// concurrent writers neither lose rows nor see "database is locked".
package store
