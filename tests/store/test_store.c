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
    store_exec x1 = {"arn:x:1", "arn:m", 1,    "one", "STANDARD", "RUNNING",
                     "{}",      NULL,    NULL, NULL,  100,        0};
    store_exec x2 = {"arn:x:2", "arn:m", 1,    "two", "STANDARD", "RUNNING",
                     "{}",      NULL,    NULL, NULL,  200,        0};
    assert_int_equal(store_exec_insert(s, &x1), 0);
    assert_int_equal(store_exec_insert(s, &x2), 0);
    assert_int_not_equal(store_exec_insert(s, &x1), 0); /* ARN is unique */
    store_exec done = x1;
    done.status = "FAILED";
    done.error = "E";
    done.cause = "C";
    done.stop_ms = 150;
    assert_int_equal(store_exec_finish(s, &done), 0);

    store_exec r;
    memset(&r, 0, sizeof r);
    assert_int_equal(store_exec_get(s, "one", &r), 0); /* by name */
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
    assert_int_equal(store_begin(s), 0);
    assert_true(store_in_transaction(s));
    /* Rows of consecutive events, one per line, in any order. */
    assert_int_equal(store_events_append(s, "x", 3, 2, "c\nd", 3), 0);
    assert_int_equal(store_events_append(s, "x", 1, 2, "a\nb", 3), 0);
    assert_int_equal(store_events_append(s, "y", 1, 1, "other", 5), 0);
    assert_int_equal(store_events_append(s, "x", 5, 1, "e", 1), 0);
    assert_int_equal(store_commit(s), 0);
    assert_false(store_in_transaction(s));
    /* Append-only: a row starting at a stored id is refused. */
    assert_int_not_equal(store_events_append(s, "x", 1, 1, "again", 5), 0);
    char out[256] = "";
    assert_int_equal(store_event_each(s, "x", collect_event, out), 0);
    assert_string_equal(out, "1=a;2=b;3=c;4=d;5=e;"); /* id order */
    assert_int_equal(store_event_last(s, "x"), 5);
    assert_int_equal(store_event_last(s, "y"), 1);
    assert_int_equal(store_event_last(s, "z"), 0);
    /* The walk stops when the callback says so, inside a row too. */
    int seen = 0;
    assert_int_equal(store_event_each(s, "x", stop_at_two, &seen), 0);
    assert_int_equal(seen, 2);

    /* A rolled back transaction leaves nothing. */
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_events_append(s, "x", 6, 1, "f", 1), 0);
    assert_int_equal(store_rollback(s), 0);
    out[0] = '\0';
    assert_int_equal(store_event_each(s, "x", collect_event, out), 0);
    assert_string_equal(out, "1=a;2=b;3=c;4=d;5=e;");

    assert_int_equal(store_frame_put(s, "x", 1, 0, "root"), 0);
    assert_int_equal(store_frame_put(s, "x", 2, 1, "kid"), 0);
    assert_int_equal(store_frame_put(s, "x", 3, 1, "kid2"), 0);
    assert_int_equal(store_frame_put(s, "x", 2, 1, "kid'"), 0); /* replace */
    out[0] = '\0';
    assert_int_equal(store_frame_each(s, "x", collect_frame, out), 0);
    assert_string_equal(out, "1<0:root;2<1:kid';3<1:kid2;");
    assert_int_equal(store_frame_delete(s, "x", 3), 0);
    assert_int_equal(store_frame_delete_children(s, "x", 1), 0);
    out[0] = '\0';
    assert_int_equal(store_frame_each(s, "x", collect_frame, out), 0);
    assert_string_equal(out, "1<0:root;");
    assert_int_equal(store_frame_delete_all(s, "x"), 0);
    out[0] = '\0';
    assert_int_equal(store_frame_each(s, "x", collect_frame, out), 0);
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

/* A file keeps its data across opens; a newer schema is refused. */
static void files_and_versions(void **state)
{
    (void)state;
    char path[] = "/tmp/baton-test-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
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
    char side[64];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
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
        assert_int_equal(store_events_append(s, "x", i + 1, 1, row, 65535), 0);
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
    char wal[80], shm[80];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    for (int t = 0; t < 48; t++) {
        assert_int_equal(store_begin(s), 0);
        for (int i = 0; i < 16; i++)
            assert_int_equal(
                store_events_append(s, "y", t * 16 + i + 1, 1, row, 65535), 0);
        assert_int_equal(store_commit(s), 0);
        store_checkpoint(s);
    }
    assert_true(file_size(wal) < 30 << 20);
    store_close(s);
    free(row);
    unlink(path);
    unlink(wal);
    unlink(shm);
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
        cmocka_unit_test(checkpoint_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
