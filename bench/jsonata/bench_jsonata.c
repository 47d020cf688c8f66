/*
 * JSONata benchmark driver (not a test): for each case of a cases file
 * (bench/jsonata/cases.json: name, dataset, expr) parses the expression
 * once, evaluates it against the dataset for a warm-up and then for a fixed
 * time, and prints one line per case:
 *
 *   NAME <TAB> EVALUATIONS_PER_SECOND <TAB> RESULT (compact JSON)
 *
 * bench/jsonata/bench_jsonata.mjs prints the same for the reference
 * implementation; bench/jsonata/run.sh alternates the two and compares.
 * Each evaluation goes through the public entry point as the engine calls
 * it (sl_jsonata_eval with a json-c input), so it includes converting the
 * input document and the result.
 *
 *   bench_jsonata CASES DATASET_DIR SECONDS
 *
 * DATASET_DIR holds NAME.json for every dataset the cases name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "statelang/sl_jsonata_int.h"

enum { MAX_DATASETS = 16 };

typedef struct dataset {
    const char *name;
    json_object *doc;
} dataset;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_object *load_json(const char *path)
{
    char *text;
    size_t len;
    int rc = bt_file_read(path, BT_LIMIT_FILE_BYTES, &text, &len);
    if (rc != 0) {
        fprintf(stderr, "bench_jsonata: %s: %s\n", path, bt_strerror(rc));
        exit(2);
    }
    json_object *j = NULL;
    bt_json_error jerr;
    if (bt_json_parse(text, len, BT_LIMIT_JSON_DEPTH, &j, &jerr) != 0) {
        fprintf(stderr, "bench_jsonata: %s:%d:%d: %s\n", path, jerr.line,
                jerr.column, jerr.message);
        exit(2);
    }
    free(text);
    return j;
}

static json_object *dataset_get(dataset *sets, size_t *n, const char *dir,
                                const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(sets[i].name, name))
            return sets[i].doc;
    if (*n == MAX_DATASETS) {
        fprintf(stderr, "bench_jsonata: too many datasets\n");
        exit(2);
    }
    char *path = bt_xasprintf("%s/%s.json", dir, name);
    sets[*n].name = name;
    sets[*n].doc = load_json(path);
    free(path);
    return sets[(*n)++].doc;
}

/* One evaluation; returns a new string describing the result when want is
 * set, else NULL. */
static char *evaluate(const sl_jsonata *expr, json_object *input, bool want)
{
    sl_jsonata_env env = {
        .input = input,
        .has_input = true,
        .now_ms = 1521801216617,
        .aws_functions = true,
    };
    json_object *out = NULL;
    bool undefined = false;
    sl_jsonata_error err;
    char *r = NULL;
    if (sl_jsonata_eval(expr, &env, &out, &undefined, &err) != 0) {
        if (want)
            r = bt_xasprintf("error %s", err.code);
        sl_jsonata_error_fini(&err);
    } else if (want) {
        r = bt_xstrdup(undefined ? "undefined"
                       : out     ? bt_json_compact(out)
                                 : "null");
    }
    json_object_put(out);
    return r;
}

/* Evaluations per second over at least seconds of wall time. */
static double measure(const sl_jsonata *expr, json_object *input,
                      double seconds)
{
    double start = now_s(), end;
    long n = 0;
    do {
        evaluate(expr, input, false);
        n++;
        end = now_s();
    } while (end - start < seconds);
    return (double)n / (end - start);
}

static void run_case(json_object *c, dataset *sets, size_t *n_sets,
                     const char *dir, double seconds)
{
    json_object *name, *set, *text;
    if (!json_object_object_get_ex(c, "name", &name) ||
        !json_object_object_get_ex(c, "dataset", &set) ||
        !json_object_object_get_ex(c, "expr", &text)) {
        fprintf(stderr, "bench_jsonata: a case needs name, dataset, expr\n");
        exit(2);
    }
    json_object *input =
        dataset_get(sets, n_sets, dir, json_object_get_string(set));
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    if (sl_jsonata_parse(json_object_get_string(text),
                         (size_t)json_object_get_string_len(text), &expr,
                         &err) != 0) {
        printf("%s\t0\terror %s\n", json_object_get_string(name), err.code);
        sl_jsonata_error_fini(&err);
        return;
    }
    char *result = evaluate(expr, input, true);
    measure(expr, input, seconds / 3); /* warm-up, as for the reference */
    double rate = measure(expr, input, seconds);
    printf("%s\t%.1f\t%s\n", json_object_get_string(name), rate, result);
    fflush(stdout);
    free(result);
    sl_jsonata_free(expr);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_jsonata CASES DATASET_DIR SECONDS\n");
        return 2;
    }
    json_object *cases = load_json(argv[1]);
    double seconds = strtod(argv[3], NULL);
    if (!json_object_is_type(cases, json_type_array) || !(seconds > 0)) {
        fprintf(stderr, "bench_jsonata: CASES must be an array, SECONDS > 0\n");
        return 2;
    }
    dataset sets[MAX_DATASETS];
    size_t n_sets = 0;
    for (size_t i = 0; i < json_object_array_length(cases); i++)
        run_case(json_object_array_get_idx(cases, i), sets, &n_sets, argv[2],
                 seconds);
    for (size_t i = 0; i < n_sets; i++)
        json_object_put(sets[i].doc);
    json_object_put(cases);
    return 0;
}
