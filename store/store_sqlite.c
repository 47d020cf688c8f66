/*
 * The SQLite store. Schema version 1:
 *   machines(arn, revision, name, definition, type, role_arn, created_ms,
 *            PK(arn, revision))                    -- every revision kept
 *   executions(arn PK, machine_arn, machine_revision, name, type, status,
 *              input, output, error, cause, start_ms, stop_ms)
 *   events(exec, id, json, PK(exec, id))            -- append-only history
 *   frames(exec, id, parent, json, PK(exec, id))    -- recovery snapshot
 * Schema version 2 adds:
 *   functions(name PK, command, cwd, env, timeout_s, memory_mb,
 *             concurrency, created_ms, updated_ms)
 * Schema version 3 adds machines.revision_id (UpdateStateMachine's
 * revisionId; NULL for a machine's first revision).
 * Schema version 4 adds:
 *   activities(arn PK, name, created_ms)
 *   tags(arn, key, value, PK(arn, key))   -- machines' and activities' tags
 * Schema version 5 adds functions.runtime, code_dir, handler and
 * idle_timeout_s (warm functions speaking the Lambda Runtime API).
 * Schema version 6 replaces events with
 *   history(exec, first, n, events, PK(exec, first))
 * where a row holds n consecutive events first..first+n-1, one JSON object
 * per line: the engine writes each execution's events of a transaction as
 * one row, since an SQLite row costs microseconds whatever its size. (A
 * rowid table: WITHOUT ROWID spills rows over about 1 KB to overflow
 * pages, and these rows are often larger.)
 * Schema version 7 files an execution's history and frames under an
 * integer, not its ARN: executions gains id INTEGER PRIMARY KEY (arn stays
 * UNIQUE), and history.exec and frames.exec hold that id. The ARN made
 * every key of history's index and of frames 60-100 bytes long. (History
 * stays a rowid table with that index: keyed by the rowid alone, as
 * id << 32 | first, rows of executions running side by side were
 * inserted amid each other's, and a 100-state chain ran 1.3x slower.)
 * Every statement is prepared once in store_open.
 */
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_MACHINE_INSERT,
    Q_MACHINE_GET,
    Q_MACHINE_HEAD,
    Q_MACHINE_FIRSTS,
    Q_MACHINE_DELETE,
    Q_EXEC_INSERT,
    Q_EXEC_FINISH,
    Q_EXEC_GET,
    Q_EXEC_GET_NAME,
    Q_EXEC_ALL,
    Q_EXEC_RUNNING,
    Q_EVENT_APPEND,
    Q_EVENT_RANGE,
    Q_EVENT_LAST,
    Q_FRAME_PUT,
    Q_FRAME_DELETE,
    Q_FRAME_DELETE_ALL,
    Q_FRAME_DELETE_CHILDREN,
    Q_FRAME_EACH,
    Q_FUNCTION_PUT,
    Q_FUNCTION_GET,
    Q_FUNCTION_DELETE,
    Q_FUNCTION_ALL,
    Q_ACTIVITY_PUT,
    Q_ACTIVITY_GET,
    Q_ACTIVITY_DELETE,
    Q_ACTIVITY_ALL,
    Q_TAG_PUT,
    Q_TAG_DELETE,
    Q_TAG_DELETE_ALL,
    Q_TAG_EACH,
    Q_COUNT
};

#define EXEC_COLS                                                              \
    "arn, machine_arn, machine_revision, name, type, status, input, output, "  \
    "error, cause, start_ms, stop_ms"
/* What read_exec reads: the stored columns, then the store's key. */
#define EXEC_READ EXEC_COLS ", id"

#define MACHINE_COLS                                                           \
    "arn, name, definition, type, role_arn, created_ms, revision, "            \
    "revision_id"

#define FN_COLS                                                                \
    "name, command, cwd, env, timeout_s, memory_mb, concurrency, "             \
    "created_ms, updated_ms, runtime, code_dir, handler, idle_timeout_s"

static const char *const queries[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_MACHINE_INSERT] = "INSERT INTO machines(arn, name, definition, type, "
                         "role_arn, created_ms, revision, revision_id) "
                         "VALUES(?,?,?,?,?,?,?,?)",
    [Q_MACHINE_GET] = "SELECT " MACHINE_COLS " FROM machines WHERE arn = ? "
                      "AND (?2 = 0 OR revision = ?2) ORDER BY revision DESC "
                      "LIMIT 1",
    /* The same without the definition (a NULL in its place). */
    [Q_MACHINE_HEAD] = "SELECT arn, name, NULL, type, role_arn, created_ms, "
                       "revision, revision_id FROM machines WHERE arn = ? "
                       "AND (?2 = 0 OR revision = ?2) ORDER BY revision DESC "
                       "LIMIT 1",
    [Q_MACHINE_FIRSTS] = "SELECT " MACHINE_COLS " FROM machines m WHERE "
                         "revision = (SELECT MIN(revision) FROM machines "
                         "WHERE arn = m.arn) ORDER BY name",
    [Q_MACHINE_DELETE] = "DELETE FROM machines WHERE arn = ?",
    [Q_EXEC_INSERT] = "INSERT INTO executions(" EXEC_COLS ") "
                      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
    [Q_EXEC_FINISH] = "UPDATE executions SET status = ?, output = ?, error = "
                      "?, cause = ?, stop_ms = ? WHERE id = ?",
    [Q_EXEC_GET] = "SELECT " EXEC_READ " FROM executions WHERE arn = ?",
    [Q_EXEC_GET_NAME] = "SELECT " EXEC_READ " FROM executions WHERE name = ? "
                        "ORDER BY start_ms DESC LIMIT 1",
    [Q_EXEC_ALL] = "SELECT " EXEC_READ " FROM executions ORDER BY start_ms "
                   "DESC, id DESC",
    [Q_EXEC_RUNNING] = "SELECT " EXEC_READ " FROM executions WHERE status = "
                       "'RUNNING' ORDER BY start_ms, id",
    [Q_EVENT_APPEND] =
        "INSERT INTO history(exec, first, n, events) VALUES(?,?,?,?)",
    /* The row holding event ?2 (the last that starts at or before it),
     * then the rows up to event ?3: a seek, not a scan of what precedes. */
    [Q_EVENT_RANGE] =
        "SELECT first, n, events FROM history WHERE exec = ?1 AND first >= "
        "coalesce((SELECT max(first) FROM history WHERE exec = ?1 AND "
        "first <= ?2), 0) AND first <= ?3 ORDER BY first",
    [Q_EVENT_LAST] = "SELECT first + n - 1 FROM history WHERE exec = ?"
                     " ORDER BY first DESC LIMIT 1",
    [Q_FRAME_PUT] = "INSERT OR REPLACE INTO frames(exec, id, parent, json) "
                    "VALUES(?,?,?,?)",
    [Q_FRAME_DELETE] = "DELETE FROM frames WHERE exec = ? AND id = ?",
    [Q_FRAME_DELETE_ALL] = "DELETE FROM frames WHERE exec = ?",
    [Q_FRAME_DELETE_CHILDREN] =
        "DELETE FROM frames WHERE exec = ? AND parent = ?",
    [Q_FRAME_EACH] = "SELECT id, parent, json FROM frames WHERE exec = ? "
                     "ORDER BY id",
    [Q_FUNCTION_PUT] = "INSERT OR REPLACE INTO functions(" FN_COLS ") "
                       "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [Q_FUNCTION_GET] = "SELECT " FN_COLS " FROM functions WHERE name = ?",
    [Q_FUNCTION_DELETE] = "DELETE FROM functions WHERE name = ?",
    [Q_FUNCTION_ALL] = "SELECT " FN_COLS " FROM functions ORDER BY name",
    [Q_ACTIVITY_PUT] = "INSERT OR IGNORE INTO activities(arn, name, "
                       "created_ms) VALUES(?,?,?)",
    [Q_ACTIVITY_GET] = "SELECT arn, name, created_ms FROM activities WHERE "
                       "arn = ?",
    [Q_ACTIVITY_DELETE] = "DELETE FROM activities WHERE arn = ?",
    [Q_ACTIVITY_ALL] = "SELECT arn, name, created_ms FROM activities ORDER "
                       "BY name",
    [Q_TAG_PUT] = "INSERT OR REPLACE INTO tags(arn, key, value) "
                  "VALUES(?,?,?)",
    [Q_TAG_DELETE] = "DELETE FROM tags WHERE arn = ? AND key = ?",
    [Q_TAG_DELETE_ALL] = "DELETE FROM tags WHERE arn = ?",
    [Q_TAG_EACH] = "SELECT key, value FROM tags WHERE arn = ? ORDER BY key",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
    bool in_tx;
    bool checkpoint_due; /* the WAL reached CHECKPOINT_PAGES */
    bool restart_due;    /* ... four times: see store_checkpoint */
    /* File databases: a thread with a connection of its own checkpoints
     * the WAL while the engine goes on writing (WAL mode lets a PASSIVE
     * checkpoint and one writer run at once), on the machine's other
     * core; started on the first checkpoint. */
    char *path;
    pthread_t ck_thread;
    bool ck_started, ck_due, ck_stop, ck_running;
    pthread_mutex_t ck_mu;
    pthread_cond_t ck_cv;
};

const char *store_errmsg(store *s)
{
    return sqlite3_errmsg(s->db);
}

static int exec_sql(store *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : BT_EIO;
}

static const char schema_v2[] =
    "CREATE TABLE functions(name TEXT PRIMARY KEY, command TEXT NOT NULL,"
    " cwd TEXT, env TEXT, timeout_s INTEGER NOT NULL,"
    " memory_mb INTEGER NOT NULL, concurrency INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);";

static const char schema_v3[] =
    "ALTER TABLE machines ADD COLUMN revision_id TEXT;";

static const char schema_v4[] =
    "CREATE TABLE activities(arn TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE TABLE tags(arn TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY(arn, key)) WITHOUT ROWID;";

static const char schema_v5[] =
    "ALTER TABLE functions ADD COLUMN runtime TEXT;"
    "ALTER TABLE functions ADD COLUMN code_dir TEXT;"
    "ALTER TABLE functions ADD COLUMN handler TEXT;"
    "ALTER TABLE functions ADD COLUMN idle_timeout_s INTEGER NOT NULL"
    " DEFAULT 0;";

static const char schema_v6[] =
    "CREATE TABLE history(exec TEXT NOT NULL, first INTEGER NOT NULL,"
    " n INTEGER NOT NULL, events TEXT NOT NULL, PRIMARY KEY(exec, first));"
    "INSERT INTO history SELECT exec, id, 1, json FROM events;"
    "DROP TABLE events;";

/* The tables version 7 made (after CREATE TABLE name), and the indexes
 * of executions: the migration and a new file share them. */
#define EXECUTIONS_V7                                                          \
    "(id INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE,"                       \
    " machine_arn TEXT NOT NULL, machine_revision INTEGER NOT NULL,"           \
    " name TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,"           \
    " input TEXT, output TEXT, error TEXT, cause TEXT,"                        \
    " start_ms INTEGER NOT NULL, stop_ms INTEGER);"
#define HISTORY_V7                                                             \
    "(exec INTEGER NOT NULL, first INTEGER NOT NULL, n INTEGER NOT NULL,"      \
    " events TEXT NOT NULL, PRIMARY KEY(exec, first));"
#define FRAMES_V7                                                              \
    "(exec INTEGER NOT NULL, id INTEGER NOT NULL, parent INTEGER NOT NULL,"    \
    " json TEXT NOT NULL, PRIMARY KEY(exec, id)) WITHOUT ROWID;"
#define EXECUTIONS_V7_INDEXES                                                  \
    "CREATE INDEX executions_running ON executions(start_ms, id)"              \
    " WHERE status = 'RUNNING';"                                               \
    "CREATE INDEX executions_name ON executions(name);"

/* Existing rows keep their rowid as id; history and frames rows whose
 * execution has no row could never be read, and are left behind. */
static const char schema_v7[] =
    "CREATE TABLE executions_v7" EXECUTIONS_V7
    "INSERT INTO executions_v7(id, " EXEC_COLS ") SELECT rowid, " EXEC_COLS
    " FROM executions;"
    "CREATE TABLE history_v7" HISTORY_V7
    "INSERT INTO history_v7 SELECT x.id, h.first, h.n, h.events"
    " FROM history h JOIN executions_v7 x ON x.arn = h.exec ORDER BY h.rowid;"
    "CREATE TABLE frames_v7" FRAMES_V7
    "INSERT INTO frames_v7 SELECT x.id, f.id, f.parent, f.json"
    " FROM frames f JOIN executions_v7 x ON x.arn = f.exec;"
    "DROP TABLE executions;"
    "DROP TABLE history;"
    "DROP TABLE frames;"
    "ALTER TABLE executions_v7 RENAME TO executions;"
    "ALTER TABLE history_v7 RENAME TO history;"
    "ALTER TABLE frames_v7 RENAME TO frames;" EXECUTIONS_V7_INDEXES;

/* A new file gets the last version's schema at once: replaying every
 * step (tables made, filled and dropped) cost 3 ms, which every
 * `baton run --db :memory:` would pay. test_store checks that it is the
 * schema the steps make. */
static const char schema_fresh[] =
    "CREATE TABLE machines(arn TEXT NOT NULL, revision INTEGER NOT NULL,"
    " name TEXT NOT NULL, definition TEXT NOT NULL, type TEXT NOT NULL,"
    " role_arn TEXT, created_ms INTEGER NOT NULL, revision_id TEXT,"
    " PRIMARY KEY(arn, revision));"
    "CREATE TABLE executions" EXECUTIONS_V7 EXECUTIONS_V7_INDEXES
    "CREATE TABLE history" HISTORY_V7 "CREATE TABLE frames" FRAMES_V7
    "CREATE TABLE functions(name TEXT PRIMARY KEY, command TEXT NOT NULL,"
    " cwd TEXT, env TEXT, timeout_s INTEGER NOT NULL,"
    " memory_mb INTEGER NOT NULL, concurrency INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " runtime TEXT, code_dir TEXT, handler TEXT,"
    " idle_timeout_s INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE activities(arn TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE TABLE tags(arn TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY(arn, key)) WITHOUT ROWID;";

/* migrations[i] takes a file from version i + 1 to i + 2 (version 1 was
 * the first four tables of the header comment, as they were). */
static const char *const migrations[] = {schema_v2, schema_v3, schema_v4,
                                         schema_v5, schema_v6, schema_v7};
#define SCHEMA_VERSION 7

static int migrate(store *s)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
        return BT_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version == SCHEMA_VERSION)
        return 0;
    if (version > SCHEMA_VERSION || version < 0)
        return BT_EINVAL;
    if (exec_sql(s, "BEGIN"))
        return BT_EIO;
    if (version == 0 && exec_sql(s, schema_fresh)) {
        exec_sql(s, "ROLLBACK");
        return BT_EIO;
    }
    for (int v = version ? version : SCHEMA_VERSION; v < SCHEMA_VERSION; v++)
        if (exec_sql(s, migrations[v - 1])) {
            exec_sql(s, "ROLLBACK");
            return BT_EIO;
        }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
    if (exec_sql(s, sql) || exec_sql(s, "COMMIT")) {
        exec_sql(s, "ROLLBACK");
        return BT_EIO;
    }
    /* Version 7 rewrote executions, history and frames: the old tables'
     * pages are free, and the file would stay twice its size. The file is
     * whole and migrated either way, so a failed VACUUM (no room for its
     * copy) only leaves it larger. */
    if (version > 0 && version < 7)
        exec_sql(s, "VACUUM");
    return 0;
}

/* SQLite's own automatic checkpoint runs inside the COMMIT that fills the
 * WAL, before the caller can act on what it committed; the engine would
 * start function processes late. This hook only notes that one is due,
 * and store_checkpoint runs it when the caller chooses. */
#define CHECKPOINT_PAGES 1000

static int wal_hook(void *ud, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    store *s = ud;
    if (pages >= CHECKPOINT_PAGES)
        s->checkpoint_due = true;
    if (pages >= 4 * CHECKPOINT_PAGES)
        s->restart_due = true;
    return SQLITE_OK;
}

static void *checkpointer(void *arg)
{
    store *s = arg;
    sqlite3 *db = NULL;
    /* A connection that never read the database does not know it is in
     * WAL mode yet, and its checkpoints would do nothing. */
    if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode", NULL, NULL, NULL) !=
            SQLITE_OK) {
        sqlite3_close(db);
        db = NULL;
    }
    pthread_mutex_lock(&s->ck_mu);
    for (;;) {
        while (!s->ck_due && !s->ck_stop)
            pthread_cond_wait(&s->ck_cv, &s->ck_mu);
        if (s->ck_stop)
            break;
        s->ck_due = false;
        s->ck_running = true;
        pthread_mutex_unlock(&s->ck_mu);
        if (db)
            sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                      NULL);
        pthread_mutex_lock(&s->ck_mu);
        s->ck_running = false;
        pthread_cond_broadcast(&s->ck_cv);
    }
    pthread_mutex_unlock(&s->ck_mu);
    sqlite3_close(db);
    return NULL;
}

void store_checkpoint(store *s)
{
    if (!s->checkpoint_due || s->in_tx)
        return;
    s->checkpoint_due = false;
    /* The thread copies frames while new ones keep coming, and SQLite
     * starts the WAL over only when a writer finds every frame copied, so
     * under steady writing the file would grow without end. Past four
     * times the threshold the rest (mostly copied already) is copied
     * here, between transactions, and the next one starts the WAL over. */
    if (s->restart_due) {
        s->restart_due = false;
        /* The thread's checkpoint, if one runs, ends first: two at once
         * would make this one give up (SQLITE_BUSY). */
        pthread_mutex_lock(&s->ck_mu);
        while (s->ck_running)
            pthread_cond_wait(&s->ck_cv, &s->ck_mu);
        sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
        pthread_mutex_unlock(&s->ck_mu);
        return;
    }
    if (!s->ck_started && s->path &&
        pthread_create(&s->ck_thread, NULL, checkpointer, s) == 0)
        s->ck_started = true;
    if (!s->ck_started) {
        sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
        return;
    }
    pthread_mutex_lock(&s->ck_mu);
    s->ck_due = true;
    pthread_cond_signal(&s->ck_cv);
    pthread_mutex_unlock(&s->ck_mu);
}

int store_open(const char *path, store **out, char **err)
{
    store *s = bt_xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->ck_mu, NULL);
    pthread_cond_init(&s->ck_cv, NULL);
    /* An in-memory database has no WAL (and no name to open twice). */
    if (strcmp(path, ":memory:") != 0 && path[0] != '\0')
        s->path = bt_xstrdup(path);
    int rc = sqlite3_open_v2(
        path, &s->db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(s->db, 5000);
        exec_sql(s, "PRAGMA journal_mode = WAL");
        /* WAL + NORMAL: a commit is durable against a process crash,
         * which is what executions promise. */
        exec_sql(s, "PRAGMA synchronous = NORMAL");
        exec_sql(s, "PRAGMA foreign_keys = OFF");
        sqlite3_wal_hook(s->db, wal_hook, s);
        rc = migrate(s);
        if (rc == BT_EINVAL) {
            *err = bt_xasprintf("%s: database schema is newer than this "
                                "baton understands",
                                path);
            store_close(s);
            return BT_EINVAL;
        }
    }
    for (int i = 0; rc == 0 && i < Q_COUNT; i++)
        rc = sqlite3_prepare_v3(s->db, queries[i], -1,
                                SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL);
    if (rc != 0) {
        *err = bt_xasprintf("%s: %s", path, sqlite3_errmsg(s->db));
        store_close(s);
        return BT_EIO;
    }
    *out = s;
    return 0;
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->ck_started) {
        pthread_mutex_lock(&s->ck_mu);
        s->ck_stop = true;
        pthread_cond_signal(&s->ck_cv);
        pthread_mutex_unlock(&s->ck_mu);
        pthread_join(s->ck_thread, NULL);
    }
    pthread_mutex_destroy(&s->ck_mu);
    pthread_cond_destroy(&s->ck_cv);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->q[i]);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

static int done(sqlite3_stmt *st);

int store_begin(store *s)
{
    if (s->in_tx)
        return 0;
    if (done(s->q[Q_BEGIN]))
        return BT_EIO;
    s->in_tx = true;
    return 0;
}

int store_commit(store *s)
{
    if (!s->in_tx)
        return 0;
    s->in_tx = false;
    return done(s->q[Q_COMMIT]);
}

int store_rollback(store *s)
{
    if (!s->in_tx)
        return 0;
    s->in_tx = false;
    return done(s->q[Q_ROLLBACK]);
}

bool store_in_transaction(const store *s)
{
    return s->in_tx;
}

/* ---- binding helpers
 * ------------------------------------------------------------ */

static sqlite3_stmt *q(store *s, int which)
{
    sqlite3_stmt *st = s->q[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : BT_EIO;
}

static char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? bt_xstrdup((const char *)t) : NULL;
}

/* ---- machines
 * ------------------------------------------------------------------------ */

void store_machine_fini(store_machine *m)
{
    free(m->arn);
    free(m->name);
    free(m->definition);
    free(m->type);
    free(m->role_arn);
    free(m->revision_id);
    memset(m, 0, sizeof *m);
}

int store_machine_insert(store *s, const store_machine *m)
{
    sqlite3_stmt *st = q(s, Q_MACHINE_INSERT);
    bind_text(st, 1, m->arn);
    bind_text(st, 2, m->name);
    bind_text(st, 3, m->definition);
    bind_text(st, 4, m->type);
    bind_text(st, 5, m->role_arn);
    sqlite3_bind_int64(st, 6, m->created_ms);
    sqlite3_bind_int64(st, 7, m->revision);
    bind_text(st, 8, m->revision_id);
    return done(st);
}

static void read_machine(sqlite3_stmt *st, store_machine *out)
{
    out->arn = col_text(st, 0);
    out->name = col_text(st, 1);
    out->definition = col_text(st, 2);
    out->type = col_text(st, 3);
    out->role_arn = col_text(st, 4);
    out->created_ms = sqlite3_column_int64(st, 5);
    out->revision = sqlite3_column_int64(st, 6);
    out->revision_id = col_text(st, 7);
}

int store_machine_each_first(store *s,
                             int (*fn)(const store_machine *m, void *ud),
                             void *ud)
{
    sqlite3_stmt *st = q(s, Q_MACHINE_FIRSTS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_machine m;
        memset(&m, 0, sizeof m);
        read_machine(st, &m);
        int stop = fn(&m, ud);
        store_machine_fini(&m);
        if (stop)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : BT_EIO;
}

int store_machine_delete(store *s, const char *arn)
{
    sqlite3_stmt *st = q(s, Q_MACHINE_DELETE);
    bind_text(st, 1, arn);
    return done(st);
}

static int machine_get(store *s, int which, const char *arn, int64_t revision,
                       store_machine *out)
{
    sqlite3_stmt *st = q(s, which);
    bind_text(st, 1, arn);
    sqlite3_bind_int64(st, 2, revision);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_machine(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? BT_ENOENT : BT_EIO;
}

int store_machine_get(store *s, const char *arn, int64_t revision,
                      store_machine *out)
{
    return machine_get(s, Q_MACHINE_GET, arn, revision, out);
}

int store_machine_head(store *s, const char *arn, int64_t revision,
                       store_machine *out)
{
    return machine_get(s, Q_MACHINE_HEAD, arn, revision, out);
}

/* ---- executions
 * -------------------------------------------------------------------- */

void store_exec_fini(store_exec *x)
{
    free(x->arn);
    free(x->machine_arn);
    free(x->name);
    free(x->type);
    free(x->status);
    free(x->input);
    free(x->output);
    free(x->error);
    free(x->cause);
    memset(x, 0, sizeof *x);
}

int store_exec_insert(store *s, store_exec *x)
{
    sqlite3_stmt *st = q(s, Q_EXEC_INSERT);
    bind_text(st, 1, x->arn);
    bind_text(st, 2, x->machine_arn);
    sqlite3_bind_int64(st, 3, x->machine_revision);
    bind_text(st, 4, x->name);
    bind_text(st, 5, x->type);
    bind_text(st, 6, x->status);
    bind_text(st, 7, x->input);
    bind_text(st, 8, x->output);
    bind_text(st, 9, x->error);
    bind_text(st, 10, x->cause);
    sqlite3_bind_int64(st, 11, x->start_ms);
    sqlite3_bind_int64(st, 12, x->stop_ms);
    int rc = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(s->db);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        x->id = sqlite3_last_insert_rowid(s->db);
        return 0;
    }
    return ext == SQLITE_CONSTRAINT_UNIQUE ? BT_EEXIST : BT_EIO;
}

int store_exec_finish(store *s, const store_exec *x)
{
    sqlite3_stmt *st = q(s, Q_EXEC_FINISH);
    bind_text(st, 1, x->status);
    bind_text(st, 2, x->output);
    bind_text(st, 3, x->error);
    bind_text(st, 4, x->cause);
    sqlite3_bind_int64(st, 5, x->stop_ms);
    sqlite3_bind_int64(st, 6, x->id);
    return done(st);
}

static void read_exec(sqlite3_stmt *st, store_exec *x)
{
    x->arn = col_text(st, 0);
    x->machine_arn = col_text(st, 1);
    x->machine_revision = sqlite3_column_int64(st, 2);
    x->name = col_text(st, 3);
    x->type = col_text(st, 4);
    x->status = col_text(st, 5);
    x->input = col_text(st, 6);
    x->output = col_text(st, 7);
    x->error = col_text(st, 8);
    x->cause = col_text(st, 9);
    x->start_ms = sqlite3_column_int64(st, 10);
    x->stop_ms = sqlite3_column_int64(st, 11);
    x->id = sqlite3_column_int64(st, 12);
}

int store_exec_get(store *s, const char *arn_or_name, store_exec *out)
{
    /* A name has no ':' (eng_name_valid), so an ARN is never one: a
     * StartExecution's check for an existing execution makes one lookup,
     * not two. */
    int last = strchr(arn_or_name, ':') ? Q_EXEC_GET : Q_EXEC_GET_NAME;
    for (int which = Q_EXEC_GET; which <= last; which++) {
        sqlite3_stmt *st = q(s, which);
        bind_text(st, 1, arn_or_name);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            read_exec(st, out);
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
            return 0;
        if (rc != SQLITE_DONE)
            return BT_EIO;
    }
    return BT_ENOENT;
}

int store_exec_each(store *s, bool running_only,
                    int (*fn)(const store_exec *x, void *ud), void *ud)
{
    sqlite3_stmt *st = q(s, running_only ? Q_EXEC_RUNNING : Q_EXEC_ALL);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_exec x;
        memset(&x, 0, sizeof x);
        read_exec(st, &x);
        int stop = fn(&x, ud);
        store_exec_fini(&x);
        if (stop)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : BT_EIO;
}

/* ---- events and frames
 * -------------------------------------------------------------- */

int store_events_append(store *s, int64_t exec, int64_t first, int64_t n,
                        const char *text, size_t len)
{
    if (exec < 1)
        return BT_EINVAL;
    sqlite3_stmt *st = q(s, Q_EVENT_APPEND);
    sqlite3_bind_int64(st, 1, exec);
    sqlite3_bind_int64(st, 2, first);
    sqlite3_bind_int64(st, 3, n);
    sqlite3_bind_text(st, 4, text, (int)len, SQLITE_STATIC);
    return done(st);
}

int store_event_each(store *s, int64_t exec,
                     int (*fn)(int64_t id, const char *json, void *ud),
                     void *ud)
{
    return store_event_range(s, exec, 1, INT64_MAX, fn, ud);
}

int store_event_range(store *s, int64_t exec, int64_t from, int64_t to,
                      int (*fn)(int64_t id, const char *json, void *ud),
                      void *ud)
{
    sqlite3_stmt *st = q(s, Q_EVENT_RANGE);
    sqlite3_bind_int64(st, 1, exec);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    int rc;
    bool stop = false;
    bt_buf line;
    bt_buf_init(&line);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0),
                n = sqlite3_column_int64(st, 1);
        const char *p = (const char *)sqlite3_column_text(st, 2);
        for (int64_t i = 0; p && i < n && !stop && id <= to; i++, id++) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            if (id >= from) {
                bt_buf_reset(&line);
                bt_buf_append(&line, p, len);
                stop = fn(id, line.data, ud) != 0;
            }
            p = nl ? nl + 1 : NULL;
        }
    }
    bt_buf_fini(&line);
    sqlite3_reset(st);
    return stop || rc == SQLITE_DONE ? 0 : BT_EIO;
}

int64_t store_event_last(store *s, int64_t exec)
{
    sqlite3_stmt *st = q(s, Q_EVENT_LAST);
    sqlite3_bind_int64(st, 1, exec);
    int64_t last =
        sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return last;
}

int store_frame_put(store *s, int64_t exec, int64_t id, int64_t parent,
                    const char *data_json)
{
    if (exec < 1)
        return BT_EINVAL;
    sqlite3_stmt *st = q(s, Q_FRAME_PUT);
    sqlite3_bind_int64(st, 1, exec);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, parent);
    bind_text(st, 4, data_json);
    return done(st);
}

int store_frame_delete(store *s, int64_t exec, int64_t id)
{
    sqlite3_stmt *st = q(s, Q_FRAME_DELETE);
    sqlite3_bind_int64(st, 1, exec);
    sqlite3_bind_int64(st, 2, id);
    return done(st);
}

int store_frame_delete_all(store *s, int64_t exec)
{
    sqlite3_stmt *st = q(s, Q_FRAME_DELETE_ALL);
    sqlite3_bind_int64(st, 1, exec);
    return done(st);
}

int store_frame_delete_children(store *s, int64_t exec, int64_t parent)
{
    sqlite3_stmt *st = q(s, Q_FRAME_DELETE_CHILDREN);
    sqlite3_bind_int64(st, 1, exec);
    sqlite3_bind_int64(st, 2, parent);
    return done(st);
}

int store_frame_each(store *s, int64_t exec,
                     int (*fn)(int64_t id, int64_t parent, const char *json,
                               void *ud),
                     void *ud)
{
    sqlite3_stmt *st = q(s, Q_FRAME_EACH);
    sqlite3_bind_int64(st, 1, exec);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
               (const char *)sqlite3_column_text(st, 2), ud))
            break;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : BT_EIO;
}

/* ---- functions
 * ----------------------------------------------------------------------- */

void store_function_fini(store_function *f)
{
    free(f->name);
    free(f->command);
    free(f->cwd);
    free(f->env);
    free(f->runtime);
    free(f->code_dir);
    free(f->handler);
    memset(f, 0, sizeof *f);
}

int store_function_put(store *s, const store_function *f)
{
    sqlite3_stmt *st = q(s, Q_FUNCTION_PUT);
    bind_text(st, 1, f->name);
    bind_text(st, 2, f->command);
    bind_text(st, 3, f->cwd);
    bind_text(st, 4, f->env);
    sqlite3_bind_int64(st, 5, f->timeout_s);
    sqlite3_bind_int64(st, 6, f->memory_mb);
    sqlite3_bind_int64(st, 7, f->concurrency);
    sqlite3_bind_int64(st, 8, f->created_ms);
    sqlite3_bind_int64(st, 9, f->updated_ms);
    bind_text(st, 10, f->runtime);
    bind_text(st, 11, f->code_dir);
    bind_text(st, 12, f->handler);
    sqlite3_bind_int64(st, 13, f->idle_timeout_s);
    return done(st);
}

static void read_function(sqlite3_stmt *st, store_function *f)
{
    f->name = col_text(st, 0);
    f->command = col_text(st, 1);
    f->cwd = col_text(st, 2);
    f->env = col_text(st, 3);
    f->timeout_s = sqlite3_column_int64(st, 4);
    f->memory_mb = sqlite3_column_int64(st, 5);
    f->concurrency = sqlite3_column_int64(st, 6);
    f->created_ms = sqlite3_column_int64(st, 7);
    f->updated_ms = sqlite3_column_int64(st, 8);
    f->runtime = col_text(st, 9);
    f->code_dir = col_text(st, 10);
    f->handler = col_text(st, 11);
    f->idle_timeout_s = sqlite3_column_int64(st, 12);
}

int store_function_get(store *s, const char *name, store_function *out)
{
    sqlite3_stmt *st = q(s, Q_FUNCTION_GET);
    bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_function(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? BT_ENOENT : BT_EIO;
}

int store_function_delete(store *s, const char *name, bool *existed)
{
    sqlite3_stmt *st = q(s, Q_FUNCTION_DELETE);
    bind_text(st, 1, name);
    int rc = done(st);
    *existed = rc == 0 && sqlite3_changes(s->db) > 0;
    return rc;
}

int store_function_each(store *s, int (*fn)(const store_function *f, void *ud),
                        void *ud)
{
    sqlite3_stmt *st = q(s, Q_FUNCTION_ALL);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_function f;
        memset(&f, 0, sizeof f);
        read_function(st, &f);
        int stop = fn(&f, ud);
        store_function_fini(&f);
        if (stop)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : BT_EIO;
}

/* ---- activities and tags
 * ------------------------------------------------------------ */

void store_activity_fini(store_activity *a)
{
    free(a->arn);
    free(a->name);
    memset(a, 0, sizeof *a);
}

int store_activity_put(store *s, const store_activity *a, bool *created)
{
    sqlite3_stmt *st = q(s, Q_ACTIVITY_PUT);
    bind_text(st, 1, a->arn);
    bind_text(st, 2, a->name);
    sqlite3_bind_int64(st, 3, a->created_ms);
    int rc = done(st);
    *created = rc == 0 && sqlite3_changes(s->db) > 0;
    return rc;
}

static void read_activity(sqlite3_stmt *st, store_activity *out)
{
    out->arn = col_text(st, 0);
    out->name = col_text(st, 1);
    out->created_ms = sqlite3_column_int64(st, 2);
}

int store_activity_get(store *s, const char *arn, store_activity *out)
{
    sqlite3_stmt *st = q(s, Q_ACTIVITY_GET);
    bind_text(st, 1, arn);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_activity(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? BT_ENOENT : BT_EIO;
}

int store_activity_delete(store *s, const char *arn)
{
    sqlite3_stmt *st = q(s, Q_ACTIVITY_DELETE);
    bind_text(st, 1, arn);
    return done(st);
}

int store_activity_each(store *s, int (*fn)(const store_activity *a, void *ud),
                        void *ud)
{
    sqlite3_stmt *st = q(s, Q_ACTIVITY_ALL);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_activity a;
        read_activity(st, &a);
        int stop = fn(&a, ud);
        store_activity_fini(&a);
        if (stop)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : BT_EIO;
}

int store_tag_put(store *s, const char *arn, const char *key, const char *value)
{
    sqlite3_stmt *st = q(s, Q_TAG_PUT);
    bind_text(st, 1, arn);
    bind_text(st, 2, key);
    bind_text(st, 3, value);
    return done(st);
}

int store_tag_delete(store *s, const char *arn, const char *key)
{
    sqlite3_stmt *st = q(s, key ? Q_TAG_DELETE : Q_TAG_DELETE_ALL);
    bind_text(st, 1, arn);
    if (key)
        bind_text(st, 2, key);
    return done(st);
}

int store_tag_each(store *s, const char *arn,
                   int (*fn)(const char *key, const char *value, void *ud),
                   void *ud)
{
    sqlite3_stmt *st = q(s, Q_TAG_EACH);
    bind_text(st, 1, arn);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int stop = fn((const char *)sqlite3_column_text(st, 0),
                      (const char *)sqlite3_column_text(st, 1), ud);
        if (stop)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : BT_EIO;
}
