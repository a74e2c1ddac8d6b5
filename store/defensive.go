package store

/*
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_api_routines sqlite3_api_routines;
extern int sqlite3_db_config(sqlite3*, int op, ...);
extern int sqlite3_auto_extension(void (*entry)(void));

#define CHIMERA_DBCONFIG_DEFENSIVE 1010 // SQLITE_DBCONFIG_DEFENSIVE, sqlite3.h

static int chimera_defensive(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
	return sqlite3_db_config(db, CHIMERA_DBCONFIG_DEFENSIVE, 1, (int *)0);
}

static int chimera_register_defensive(void) {
	return sqlite3_auto_extension((void (*)(void))chimera_defensive);
}
*/
import "C"

import "fmt"

// init puts every connection this process opens in SQLite's defensive mode, which refuses the statements that
// can corrupt a database file (writable_schema, journal_mode=OFF, writes to shadow tables). chimera needs none
// of them, and a file to import may be crafted. mattn/go-sqlite3 does not expose sqlite3_db_config, so an
// automatic extension, which SQLite runs on each new connection, sets it; the symbols are those of the SQLite
// that mattn/go-sqlite3 compiles into the binary.
func init() {
	if rc := C.chimera_register_defensive(); rc != 0 {
		panic(fmt.Sprintf("register SQLite's defensive mode: error %d", rc))
	}
}
