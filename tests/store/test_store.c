/*
 * store: every table's round trip, ordering, replacement and deletion
 * rules as store.h states them, migration of a fresh file, and refusal of
 * a schema newer than this build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"

static store *open_mem(void)
{
    store *s = NULL;
    char *err = NULL;
    assert_int_equal(store_open(":memory:", &s, &err), 0);
    assert_null(err);
    return s;
}

static void machines(void **state)
{
    (void)state;
    store *s = open_mem();
    store_machine a = {"arn:m:b", "b", "{\"v\":1}", "STANDARD",
                       NULL,      10,  1,           NULL};
    store_machine a2 = {"arn:m:b", "b", "{\"v\":2}", "STANDARD",
                        NULL,      20,  2,           "rev-2"};
    store_machine c = {"arn:m:a", "a", "{}", "EXPRESS", "role", 30, 1, NULL};
    assert_int_equal(store_machine_insert(s, &a), 0);
    assert_int_equal(store_machine_insert(s, &a2), 0);
    assert_int_equal(store_machine_insert(s, &c), 0);
    /* The same revision twice is refused. */
    assert_int_not_equal(store_machine_insert(s, &a), 0);

    store_machine m;
    memset(&m, 0, sizeof m);
    assert_int_equal(store_machine_get(s, "arn:m:b", 0, &m), 0);
    assert_int_equal(m.revision, 2); /* 0 means the latest */
    assert_string_equal(m.definition, "{\"v\":2}");
    assert_string_equal(m.revision_id, "rev-2");
    store_machine_fini(&m);
    assert_int_equal(store_machine_get(s, "arn:m:b", 1, &m), 0);
    assert_string_equal(m.definition, "{\"v\":1}");
    assert_null(m.revision_id);
    assert_int_equal(m.created_ms, 10);
    store_machine_fini(&m);
    assert_int_equal(store_machine_get(s, "arn:m:none", 0, &m), BT_ENOENT);
    /* The head: everything but the definition. */
    assert_int_equal(store_machine_head(s, "arn:m:a", 0, &m), 0);
    assert_null(m.definition);
    assert_string_equal(m.arn, "arn:m:a");
    assert_string_equal(m.name, "a");
    assert_string_equal(m.type, "EXPRESS");
    assert_string_equal(m.role_arn, "role");
    assert_int_equal(m.created_ms, 30);
    assert_int_equal(m.revision, 1);
    store_machine_fini(&m);
    assert_int_equal(store_machine_head(s, "arn:m:b", 1, &m), 0);
    assert_int_equal(m.revision, 1);
    store_machine_fini(&m);
    assert_int_equal(store_machine_head(s, "arn:m:none", 0, &m), BT_ENOENT);

    assert_int_equal(store_machine_delete(s, "arn:m:b"), 0);
    assert_int_equal(store_machine_get(s, "arn:m:b", 1, &m), BT_ENOENT);
    assert_int_equal(store_machine_delete(s, "arn:m:b"), 0);
    store_close(s);
}

static int count_exec(const store_exec *x, void *ud)
{
    char *names = ud;
    strcat(names, x->name);
    return 0;
}

static void executions(void **state)
{
    (void)state;
    store *s = open_mem();
    store_exec x1 = {"arn:x:1", "arn:m", 1,    "one", "STANDARD",
                     "RUNNING", "{}",    NULL, NULL,  NULL,
                     100,       0,       0};
    store_exec x2 = {"arn:x:2", "arn:m", 1,    "two", "STANDARD",
                     "RUNNING", "{}",    NULL, NULL,  NULL,
                     200,       0,       0};
    assert_int_equal(store_exec_insert(s, &x1), 0);
    assert_int_equal(store_exec_insert(s, &x2), 0);
    /* Each gets a key of its own, which every read returns. */
    assert_true(x1.id > 0 && x2.id > 0 && x1.id != x2.id);
    int64_t id1 = x1.id;
    store_exec again = x1;
    assert_int_equal(store_exec_insert(s, &again), BT_EEXIST); /* ARN */
    store_exec done = x1;
    done.arn = "arn:x:elsewhere"; /* the id names the row */
    done.status = "FAILED";
    done.error = "E";
    done.cause = "C";
    done.stop_ms = 150;
    assert_int_equal(store_exec_finish(s, &done), 0);

    store_exec r;
    memset(&r, 0, sizeof r);
    assert_int_equal(store_exec_get(s, "one", &r), 0); /* by name */
    assert_int_equal(r.id, id1);
    assert_string_equal(r.status, "FAILED");
    assert_string_equal(r.error, "E");
    assert_string_equal(r.cause, "C");
    assert_null(r.output);
    assert_int_equal(r.stop_ms, 150);
    store_exec_fini(&r);
    assert_int_equal(store_exec_get(s, "arn:x:3", &r), BT_ENOENT);

    char names[64] = "";
    assert_int_equal(store_exec_each(s, false, count_exec, names), 0);
    assert_string_equal(names, "twoone"); /* newest first */
    names[0] = '\0';
    assert_int_equal(store_exec_each(s, true, count_exec, names), 0);
    assert_string_equal(names, "two");
    store_close(s);
}

static int collect_event(int64_t id, const char *json, void *ud)
{
    char *out = ud;
    char one[32];
    snprintf(one, sizeof one, "%lld=%s;", (long long)id, json);
    strcat(out, one);
    return 0;
}

static int stop_at_two(int64_t id, const char *json, void *ud)
{
    (void)json;
    *(int *)ud += 1;
    return id == 2;
}

static int collect_frame(int64_t id, int64_t parent, const char *json, void *ud)
{
    char *out = ud;
    char one[48];
    snprintf(one, sizeof one, "%lld<%lld:%s;", (long long)id, (long long)parent,
             json);
    strcat(out, one);
    return 0;
}

static void events_and_frames(void **state)
{
    (void)state;
    store *s = open_mem();
    enum { X = 1, Y = 2, Z = 3 }; /* executions' ids */
    assert_int_equal(store_begin(s), 0);
    assert_true(store_in_transaction(s));
    /* Rows of consecutive events, one per line, in any order. */
    assert_int_equal(store_events_append(s, X, 3, 2, "c\nd", 3), 0);
    assert_int_equal(store_events_append(s, X, 1, 2, "a\nb", 3), 0);
    assert_int_equal(store_events_append(s, Y, 1, 1, "other", 5), 0);
    assert_int_equal(store_events_append(s, X, 5, 1, "e", 1), 0);
    assert_int_equal(store_commit(s), 0);
    assert_false(store_in_transaction(s));
    /* Append-only: a row starting at a stored id is refused. */
    assert_int_not_equal(store_events_append(s, X, 1, 1, "again", 5), 0);
    char out[256] = "";
    assert_int_equal(store_event_each(s, X, collect_event, out), 0);
    assert_string_equal(out, "1=a;2=b;3=c;4=d;5=e;"); /* id order */
    assert_int_equal(store_event_last(s, X), 5);
    assert_int_equal(store_event_last(s, Y), 1);
    assert_int_equal(store_event_last(s, Z), 0);
    /* The walk stops when the callback says so, inside a row too. */
    int seen = 0;
    assert_int_equal(store_event_each(s, X, stop_at_two, &seen), 0);
    assert_int_equal(seen, 2);

    /* A range reads the rows that hold it, from inside a row too. */
    out[0] = '\0';
    assert_int_equal(store_event_range(s, X, 2, 4, collect_event, out), 0);
    assert_string_equal(out, "2=b;3=c;4=d;");
    out[0] = '\0';
    assert_int_equal(store_event_range(s, X, 5, 99, collect_event, out), 0);
    assert_string_equal(out, "5=e;");
    out[0] = '\0';
    assert_int_equal(store_event_range(s, X, 6, 9, collect_event, out), 0);
    assert_int_equal(store_event_range(s, X, 3, 2, collect_event, out), 0);
    assert_int_equal(store_event_range(s, Z, 1, 9, collect_event, out), 0);
    assert_string_equal(out, "");
    /* Without an execution, appends are refused. */
    assert_int_equal(store_events_append(s, 0, 1, 1, "n", 1), BT_EINVAL);
    assert_int_equal(store_frame_put(s, 0, 1, 0, "n"), BT_EINVAL);

    /* A rolled back transaction leaves nothing. */
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_events_append(s, X, 6, 1, "f", 1), 0);
    assert_int_equal(store_rollback(s), 0);
    out[0] = '\0';
    assert_int_equal(store_event_each(s, X, collect_event, out), 0);
    assert_string_equal(out, "1=a;2=b;3=c;4=d;5=e;");

    assert_int_equal(store_frame_put(s, X, 1, 0, "root"), 0);
    assert_int_equal(store_frame_put(s, X, 2, 1, "kid"), 0);
    assert_int_equal(store_frame_put(s, X, 3, 1, "kid2"), 0);
    assert_int_equal(store_frame_put(s, X, 2, 1, "kid'"), 0); /* replace */
    out[0] = '\0';
    assert_int_equal(store_frame_each(s, X, collect_frame, out), 0);
    assert_string_equal(out, "1<0:root;2<1:kid';3<1:kid2;");
    assert_int_equal(store_frame_delete(s, X, 3), 0);
    assert_int_equal(store_frame_delete_children(s, X, 1), 0);
    out[0] = '\0';
    assert_int_equal(store_frame_each(s, X, collect_frame, out), 0);
    assert_string_equal(out, "1<0:root;");
    assert_int_equal(store_frame_delete_all(s, X), 0);
    out[0] = '\0';
    assert_int_equal(store_frame_each(s, X, collect_frame, out), 0);
    assert_string_equal(out, "");
    store_close(s);
}

static void functions(void **state)
{
    (void)state;
    store *s = open_mem();
    store_function f = {
        "fn", "echo hi", NULL, "{\"A\":\"1\"}", 3, 0, 2, 1, 1, NULL,
        NULL, NULL,      0};
    assert_int_equal(store_function_put(s, &f), 0);
    f.command = "echo bye";
    f.updated_ms = 5;
    assert_int_equal(store_function_put(s, &f), 0); /* replaces */
    store_function g;
    memset(&g, 0, sizeof g);
    assert_int_equal(store_function_get(s, "fn", &g), 0);
    assert_string_equal(g.command, "echo bye");
    assert_string_equal(g.env, "{\"A\":\"1\"}");
    assert_null(g.cwd);
    assert_int_equal(g.concurrency, 2);
    assert_int_equal(g.updated_ms, 5);
    assert_null(g.runtime);
    assert_null(g.handler);
    store_function_fini(&g);
    /* Schema 5: a warm function's fields. */
    f.runtime = "lambda";
    f.code_dir = "/srv/fn";
    f.handler = "index.handler";
    f.idle_timeout_s = 42;
    assert_int_equal(store_function_put(s, &f), 0);
    assert_int_equal(store_function_get(s, "fn", &g), 0);
    assert_string_equal(g.runtime, "lambda");
    assert_string_equal(g.code_dir, "/srv/fn");
    assert_string_equal(g.handler, "index.handler");
    assert_int_equal(g.idle_timeout_s, 42);
    store_function_fini(&g);
    bool existed = false;
    assert_int_equal(store_function_delete(s, "fn", &existed), 0);
    assert_true(existed);
    assert_int_equal(store_function_delete(s, "fn", &existed), 0);
    assert_false(existed);
    assert_int_equal(store_function_get(s, "fn", &g), BT_ENOENT);
    store_close(s);
}

static int collect_activity(const store_activity *a, void *ud)
{
    strcat(ud, a->name);
    strcat(ud, ";");
    return 0;
}

static int collect_tag(const char *key, const char *value, void *ud)
{
    strcat(ud, key);
    strcat(ud, "=");
    strcat(ud, value);
    strcat(ud, ";");
    return 0;
}

static void activities_and_tags(void **state)
{
    (void)state;
    store *s = open_mem();
    store_activity a = {"arn:a:w", "w", 10}, b = {"arn:a:b", "b", 20};
    bool created = false;
    assert_int_equal(store_activity_put(s, &a, &created), 0);
    assert_true(created);
    store_activity again = {"arn:a:w", "w", 99};
    assert_int_equal(store_activity_put(s, &again, &created), 0);
    assert_false(created); /* the first one stays */
    assert_int_equal(store_activity_put(s, &b, &created), 0);
    store_activity r;
    memset(&r, 0, sizeof r);
    assert_int_equal(store_activity_get(s, "arn:a:w", &r), 0);
    assert_int_equal(r.created_ms, 10);
    assert_string_equal(r.name, "w");
    store_activity_fini(&r);
    char out[128] = "";
    assert_int_equal(store_activity_each(s, collect_activity, out), 0);
    assert_string_equal(out, "b;w;"); /* name order */
    assert_int_equal(store_activity_delete(s, "arn:a:w"), 0);
    assert_int_equal(store_activity_get(s, "arn:a:w", &r), BT_ENOENT);

    assert_int_equal(store_tag_put(s, "arn:a:b", "z", "1"), 0);
    assert_int_equal(store_tag_put(s, "arn:a:b", "a", "2"), 0);
    assert_int_equal(store_tag_put(s, "arn:a:b", "z", "3"), 0); /* replace */
    assert_int_equal(store_tag_put(s, "arn:other", "k", "v"), 0);
    out[0] = '\0';
    assert_int_equal(store_tag_each(s, "arn:a:b", collect_tag, out), 0);
    assert_string_equal(out, "a=2;z=3;"); /* key order */
    assert_int_equal(store_tag_delete(s, "arn:a:b", "a"), 0);
    out[0] = '\0';
    assert_int_equal(store_tag_each(s, "arn:a:b", collect_tag, out), 0);
    assert_string_equal(out, "z=3;");
    assert_int_equal(store_tag_delete(s, "arn:a:b", NULL), 0);
    out[0] = '\0';
    assert_int_equal(store_tag_each(s, "arn:a:b", collect_tag, out), 0);
    assert_string_equal(out, "");
    out[0] = '\0';
    assert_int_equal(store_tag_each(s, "arn:other", collect_tag, out), 0);
    assert_string_equal(out, "k=v;");
    store_close(s);
}

/* A new empty file for a database, its name in path (room for the
 * template), and the removal of a database file with its WAL and shm. */
static void temp_db(char path[32])
{
    strcpy(path, "/tmp/baton-test-store-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void remove_db(const char *path)
{
    char side[80];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* A file keeps its data across opens; a newer schema is refused. */
static void files_and_versions(void **state)
{
    (void)state;
    char path[32];
    temp_db(path);
    unlink(path);
    store *s = NULL;
    char *err = NULL;
    assert_int_equal(store_open(path, &s, &err), 0);
    store_activity a = {"arn:a:x", "x", 1};
    bool created;
    assert_int_equal(store_activity_put(s, &a, &created), 0);
    store_close(s);
    assert_int_equal(store_open(path, &s, &err), 0);
    store_activity r;
    memset(&r, 0, sizeof r);
    assert_int_equal(store_activity_get(s, "arn:a:x", &r), 0);
    store_activity_fini(&r);
    store_close(s);

    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(path, &s, &err), BT_EINVAL);
    assert_non_null(err);
    assert_non_null(strstr(err, "newer"));
    free(err);
    remove_db(path);
}

/* A file's tables as text: each table's columns (name, type, NOT NULL,
 * default, key position) and indexes (unique, origin, columns; not their
 * names, which a renamed table's automatic indexes keep). */
static void append_rows(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            size_t len = strlen(out);
            snprintf(out + len, cap - len, "%s%c", v ? v : "NULL",
                     i + 1 < sqlite3_column_count(st) ? '|' : ';');
        }
    sqlite3_finalize(st);
}

static void schema_shape(const char *path, char *out, size_t cap)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    out[0] = '\0';
    append_rows(db,
                "SELECT m.name, c.name, c.type, c.\"notnull\", c.dflt_value,"
                " c.pk FROM sqlite_master m, pragma_table_xinfo(m.name) c"
                " WHERE m.type = 'table' ORDER BY m.name, c.cid",
                out, cap);
    append_rows(db,
                "SELECT m.name, l.\"unique\", l.origin, (SELECT"
                " group_concat(i.name) FROM pragma_index_info(l.name) i)"
                " AS cols FROM sqlite_master m, pragma_index_list(m.name) l"
                " WHERE m.type = 'table' ORDER BY m.name, cols",
                out, cap);
    sqlite3_close(db);
}

/* A version 6 file (history and frames filed under the execution's ARN)
 * opens as version 7 with the same executions, events and frames. */
static const char v6_file[] =
    "CREATE TABLE machines(arn TEXT NOT NULL, revision INTEGER NOT NULL,"
    " name TEXT NOT NULL, definition TEXT NOT NULL, type TEXT NOT NULL,"
    " role_arn TEXT, created_ms INTEGER NOT NULL, revision_id TEXT,"
    " PRIMARY KEY(arn, revision));"
    "CREATE TABLE executions(arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL,"
    " machine_revision INTEGER NOT NULL, name TEXT NOT NULL,"
    " type TEXT NOT NULL, status TEXT NOT NULL, input TEXT, output TEXT,"
    " error TEXT, cause TEXT, start_ms INTEGER NOT NULL, stop_ms INTEGER);"
    "CREATE INDEX executions_status ON executions(status);"
    "CREATE INDEX executions_name ON executions(name);"
    "CREATE TABLE frames(exec TEXT NOT NULL, id INTEGER NOT NULL,"
    " parent INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY(exec, id))"
    " WITHOUT ROWID;"
    "CREATE TABLE functions(name TEXT PRIMARY KEY, command TEXT NOT NULL,"
    " cwd TEXT, env TEXT, timeout_s INTEGER NOT NULL,"
    " memory_mb INTEGER NOT NULL, concurrency INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " runtime TEXT, code_dir TEXT, handler TEXT,"
    " idle_timeout_s INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE activities(arn TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE TABLE tags(arn TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY(arn, key)) WITHOUT ROWID;"
    "CREATE TABLE history(exec TEXT NOT NULL, first INTEGER NOT NULL,"
    " n INTEGER NOT NULL, events TEXT NOT NULL, PRIMARY KEY(exec, first));"
    "INSERT INTO executions VALUES('arn:x:a', 'arn:m', 1, 'a', 'STANDARD',"
    " 'SUCCEEDED', '{}', '1', NULL, NULL, 10, 20);"
    "INSERT INTO executions VALUES('arn:x:b', 'arn:m', 1, 'b', 'STANDARD',"
    " 'RUNNING', '{}', NULL, NULL, NULL, 30, NULL);"
    "INSERT INTO history VALUES('arn:x:a', 1, 2, 'a1\na2');"
    "INSERT INTO history VALUES('arn:x:a', 3, 1, 'a3');"
    "INSERT INTO history VALUES('arn:x:b', 1, 1, 'b1');"
    "INSERT INTO history VALUES('arn:x:gone', 1, 1, 'orphan');"
    "INSERT INTO frames VALUES('arn:x:b', 1, 0, 'broot');"
    "INSERT INTO frames VALUES('arn:x:b', 4, 1, 'bkid');"
    "PRAGMA user_version = 6;";

/* The first column of the first row of sql's answer. */
static int query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void migration_to_v7(void **state)
{
    (void)state;
    char path[32];
    temp_db(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v6_file, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    store *s = NULL;
    char *err = NULL;
    assert_int_equal(store_open(path, &s, &err), 0);
    store_exec a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(store_exec_get(s, "arn:x:a", &a), 0);
    assert_int_equal(store_exec_get(s, "b", &b), 0);
    assert_string_equal(a.status, "SUCCEEDED");
    assert_string_equal(b.status, "RUNNING");
    assert_true(a.id > 0 && b.id > 0 && a.id != b.id);
    char out[128] = "";
    assert_int_equal(store_event_each(s, a.id, collect_event, out), 0);
    assert_string_equal(out, "1=a1;2=a2;3=a3;");
    out[0] = '\0';
    assert_int_equal(store_event_each(s, b.id, collect_event, out), 0);
    assert_string_equal(out, "1=b1;");
    out[0] = '\0';
    assert_int_equal(store_frame_each(s, b.id, collect_frame, out), 0);
    assert_string_equal(out, "1<0:broot;4<1:bkid;");
    /* New executions come after the old ones, and write as usual. */
    store_exec c = {"arn:x:c", "arn:m", 1,    "c", "STANDARD", "RUNNING", "{}",
                    NULL,      NULL,    NULL, 40,  0,          0};
    assert_int_equal(store_exec_insert(s, &c), 0);
    assert_true(c.id > a.id && c.id > b.id);
    assert_int_equal(store_events_append(s, c.id, 1, 1, "c1", 2), 0);
    assert_int_equal(store_event_last(s, c.id), 1);
    assert_int_equal(store_event_last(s, b.id), 1);
    store_exec_fini(&a);
    store_exec_fini(&b);
    store_close(s);

    /* The old tables are gone; the version is 7; the rewritten tables'
     * old pages went back to the file system. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(query_int(db, "PRAGMA user_version"), 7);
    assert_int_equal(query_int(db, "PRAGMA freelist_count"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master "
                                   "WHERE name LIKE '%_v7'"),
                     0);
    sqlite3_close(db);

    /* A new file gets the same tables and indexes at once. */
    char fresh[32];
    temp_db(fresh);
    assert_int_equal(store_open(fresh, &s, &err), 0);
    store_close(s);
    static char want[8192], got[8192];
    schema_shape(path, want, sizeof want);
    schema_shape(fresh, got, sizeof got);
    assert_non_null(strstr(want, "history|exec|INTEGER|1|NULL|1;"));
    assert_non_null(strstr(want, "frames|exec|INTEGER|1|NULL|1;"));
    assert_string_equal(got, want);
    remove_db(path);
    remove_db(fresh);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* Past about 4 MB of WAL, store_checkpoint copies the WAL into the
 * database file (on the store's checkpoint thread): the file grows
 * while the store stays open. */
static void checkpoint_thread(void **state)
{
    (void)state;
    char dir[] = "/tmp/baton-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/ck.db", dir);
    store *s = NULL;
    char *err = NULL;
    assert_int_equal(store_open(path, &s, &err), 0);
    char *row = malloc(65536);
    memset(row, 'x', 65535);
    row[65535] = '\0';
    assert_int_equal(store_begin(s), 0);
    for (int i = 0; i < 160; i++) /* 10 MB */
        assert_int_equal(store_events_append(s, 1, i + 1, 1, row, 65535), 0);
    assert_int_equal(store_commit(s), 0);
    long before = file_size(path);
    assert_true(before < 1 << 20);
    store_checkpoint(s);
    long after = before;
    for (int i = 0; i < 500 && after < 8 << 20; i++) {
        nanosleep(&(struct timespec){0, 10000000}, NULL);
        after = file_size(path);
    }
    assert_true(after >= 8 << 20);
    /* Under steady writing the WAL still starts over, so it stays near
     * its threshold (about 4 MB) times four, not the 48 MB written. */
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", path);
    for (int t = 0; t < 48; t++) {
        assert_int_equal(store_begin(s), 0);
        for (int i = 0; i < 16; i++)
            assert_int_equal(
                store_events_append(s, 2, t * 16 + i + 1, 1, row, 65535), 0);
        assert_int_equal(store_commit(s), 0);
        store_checkpoint(s);
    }
    assert_true(file_size(wal) < 30 << 20);
    store_close(s);
    free(row);
    remove_db(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machines),
        cmocka_unit_test(executions),
        cmocka_unit_test(events_and_frames),
        cmocka_unit_test(functions),
        cmocka_unit_test(activities_and_tags),
        cmocka_unit_test(files_and_versions),
        cmocka_unit_test(migration_to_v7),
        cmocka_unit_test(checkpoint_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
