/*
 * Data-driven validation tests: every JSON file under tests/statelang/rules
 * holds cases (a definition, whether AWS accepts it, and the diagnostics it
 * must produce). Expected codes, locations and messages come from the ASL
 * reference (§1.3 rules, §1.4 recorded AWS messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "statelang/statelang.h"

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v)
                                                 : NULL;
}

static bool diag_matches(const sl_diag *g, json_object *want)
{
    const char *code = str(want, "code");
    const char *loc = str(want, "location");
    const char *msg = str(want, "message");
    if (code && strcmp(code, g->code))
        return false;
    if (loc && (!g->location || strcmp(loc, g->location)))
        return false;
    if (msg && !strstr(g->message, msg))
        return false;
    return true;
}

static void dump(const char *name, const sl_diags *d)
{
    fprintf(stderr, "  case '%s' produced:\n", name);
    for (size_t i = 0; i < d->len; i++)
        fprintf(stderr, "    %s: %s at %s (%d:%d)\n", d->items[i].code,
                d->items[i].message,
                d->items[i].location ? d->items[i].location : "-",
                d->items[i].line, d->items[i].column);
}

/* Runs one case; returns the number of failed expectations. */
static int run_case(json_object *c)
{
    const char *name = str(c, "name");
    json_object *def, *valid, *type, *expect;
    const char *text = str(c, "definition_text");
    if (!text && json_object_object_get_ex(c, "definition", &def))
        text = json_object_to_json_string_ext(
            def, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    assert_non_null(text);
    assert_true(json_object_object_get_ex(c, "valid", &valid));
    sl_compile_opts opts = {SL_MACHINE_STANDARD};
    if (json_object_object_get_ex(c, "type", &type))
        assert_true(
            sl_machine_type_parse(json_object_get_string(type), &opts.type));
    sl_diags d;
    sl_diags_init(&d);
    sl_machine *m = NULL;
    int rc = sl_machine_compile(text, strlen(text), &opts, &m, &d);
    int failures = 0;
    if ((rc == 0) != json_object_get_boolean(valid)) {
        fprintf(stderr, "FAIL %s: expected %s\n", name,
                json_object_get_boolean(valid) ? "valid" : "invalid");
        failures++;
    }
    if (json_object_object_get_ex(c, "expect", &expect)) {
        for (size_t i = 0; i < json_object_array_length(expect); i++) {
            json_object *w = json_object_array_get_idx(expect, i);
            bool found = false;
            for (size_t k = 0; k < d.len && !found; k++)
                found = diag_matches(&d.items[k], w);
            if (!found) {
                fprintf(stderr, "FAIL %s: missing diagnostic %s\n", name,
                        json_object_to_json_string(w));
                failures++;
            }
        }
    }
    /* Every located diagnostic must point into the text. */
    for (size_t k = 0; k < d.len; k++)
        if (d.items[k].location && d.items[k].line <= 0) {
            fprintf(stderr, "FAIL %s: no line for %s\n", name,
                    d.items[k].location);
            failures++;
        }
    if (failures)
        dump(name, &d);
    sl_machine_free(m);
    sl_diags_fini(&d);
    return failures;
}

static int run_file(const char *path)
{
    char *text;
    size_t len;
    assert_int_equal(bt_file_read(path, BT_LIMIT_FILE_BYTES, &text, &len), 0);
    json_object *doc = NULL;
    bt_json_error err;
    if (bt_json_parse(text, len, 64, &doc, &err) != 0)
        fail_msg("%s:%d:%d: %s", path, err.line, err.column, err.message);
    json_object *cases;
    assert_true(json_object_object_get_ex(doc, "cases", &cases));
    int failures = 0;
    for (size_t i = 0; i < json_object_array_length(cases); i++)
        failures += run_case(json_object_array_get_idx(cases, i));
    json_object_put(doc);
    free(text);
    return failures;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_rule_files(void **state)
{
    (void)state;
    const char *dir = BATON_SOURCE_DIR "/tests/statelang/rules";
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (strstr(e->d_name, ".json"))
            names[n++] = bt_xasprintf("%s/%s", dir, e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    assert_true(n > 0);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        failures += run_file(names[i]);
        free(names[i]);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
