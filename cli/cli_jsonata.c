/*
 * `baton jsonata`: evaluates one JSONata expression against a JSON input,
 * for people trying expressions and for the JSONata test-suite runner
 * (whose interface this follows: exit 0 with the value as JSON, or
 * nothing for undefined; exit 3 with {"code", "message", ...} for a
 * JSONata error; exit 2 for anything else).
 */
#include "cli/cli.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "statelang/sl_jsonata_int.h"

enum { EXIT_JSONATA_ERROR = 3 };

static const char usage[] =
    "usage: baton jsonata [options] [--] EXPR\n"
    "       baton jsonata --expr-file FILE [options]\n"
    "\n"
    "Evaluates a JSONata expression and prints the result as JSON (nothing\n"
    "when the result is undefined).\n"
    "\n"
    "  --expr-file FILE      read the expression from FILE\n"
    "  --input-file FILE     the input document (JSON); without it the input\n"
    "                        is undefined ('-' reads standard input)\n"
    "  --bindings-file FILE  a JSON object {name: value} of variables\n"
    "  --time-limit-ms T     fail with U1001 after T milliseconds\n"
    "  --max-depth D         fail with U1001 beyond D nested evaluation "
    "steps\n"
    "  --aws                 add the functions AWS Step Functions provides\n"
    "                        ($partition $range $hash $random $uuid $parse)\n"
    "\n"
    "Exit status: 0 success, 3 JSONata error (printed as JSON on standard\n"
    "output), 2 usage or input/output errors.\n";

typedef struct opts {
    const char *expr;
    const char *expr_file;
    const char *input_file;
    const char *bindings_file;
    long time_limit_ms;
    long max_depth;
    bool aws;
} opts;

static bool number_arg(const char *text, long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < 0)
        return false;
    *out = v;
    return true;
}

static int parse_args(int argc, char **argv, opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (!strcmp(a, "--expr-file") && v)
            o->expr_file = v;
        else if (!strcmp(a, "--input-file") && v)
            o->input_file = v;
        else if (!strcmp(a, "--bindings-file") && v)
            o->bindings_file = v;
        else if (!strcmp(a, "--time-limit-ms") && v &&
                 number_arg(v, &o->time_limit_ms))
            ;
        else if (!strcmp(a, "--max-depth") && v && number_arg(v, &o->max_depth))
            ;
        else if (!strcmp(a, "--aws"))
            o->aws = true, takes = false;
        else if (!strcmp(a, "--") && v && !o->expr)
            o->expr = v; /* an expression that starts with '-' */
        else if (a[0] != '-' && !o->expr)
            o->expr = a, takes = false;
        else
            return -1;
        if (takes)
            i++;
    }
    return (o->expr != NULL) != (o->expr_file != NULL) ? 0 : -1;
}

static int read_json(const char *path, json_object **out)
{
    char *text;
    size_t len;
    int rc = bt_file_read(path, BT_LIMIT_FILE_BYTES, &text, &len);
    if (rc != 0) {
        cli_error("%s: %s", path, bt_strerror(rc));
        return -1;
    }
    bt_json_error jerr;
    rc = bt_json_parse(text, len, BT_LIMIT_JSON_DEPTH, out, &jerr);
    free(text);
    if (rc != 0) {
        cli_error("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.message);
        return -1;
    }
    return 0;
}

static bool lookup_binding(void *ctx, const char *name, json_object **value)
{
    json_object *bindings = ctx;
    return bindings && json_object_is_type(bindings, json_type_object) &&
           json_object_object_get_ex(bindings, name, value);
}

static struct timespec started;

static int64_t elapsed_ms(void *ctx)
{
    (void)ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - started.tv_sec) * 1000 +
           (now.tv_nsec - started.tv_nsec) / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* $random, $shuffle, $uuid: splitmix64 seeded from the system. */
static double cli_random(void *ctx)
{
    uint64_t *state = ctx;
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static uint64_t random_seed(void)
{
    uint64_t seed = (uint64_t)wall_ms() ^ ((uint64_t)clock() << 32);
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(&seed, sizeof seed, 1, f) != 1)
            seed ^= (uint64_t)wall_ms();
        fclose(f);
    }
    return seed;
}

static int print_error(const sl_jsonata_error *err)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_object_new_string(err->code));
    json_object_object_add(
        o, "message", json_object_new_string(err->message ? err->message : ""));
    json_object_object_add(o, "position", json_object_new_int(err->position));
    if (err->token)
        json_object_object_add(o, "token", json_object_new_string(err->token));
    puts(bt_json_compact(o));
    json_object_put(o);
    return EXIT_JSONATA_ERROR;
}

static int evaluate(const opts *o, const char *text, size_t len,
                    json_object *input, bool has_input, json_object *bindings)
{
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    if (sl_jsonata_parse(text, len, &expr, &err) != 0) {
        int rc = print_error(&err);
        sl_jsonata_error_fini(&err);
        return rc;
    }
    uint64_t seed = random_seed();
    sl_jsonata_env env = {
        .input = input,
        .has_input = has_input,
        .lookup = lookup_binding,
        .lookup_ctx = bindings,
        .now_ms = wall_ms(),
        .random = cli_random,
        .random_ctx = &seed,
        .aws_functions = o->aws,
        .max_depth = (int)o->max_depth,
        .time_limit_ms = o->time_limit_ms,
        .elapsed_ms = elapsed_ms,
    };
    json_object *out = NULL;
    bool undefined = false;
    clock_gettime(CLOCK_MONOTONIC, &started);
    int rc = sl_jsonata_eval(expr, &env, &out, &undefined, &err);
    sl_jsonata_free(expr);
    if (rc != 0) {
        rc = print_error(&err);
        sl_jsonata_error_fini(&err);
        return rc;
    }
    if (!undefined)
        puts(out ? bt_json_compact(out) : "null");
    json_object_put(out);
    return CLI_EXIT_OK;
}

int cli_jsonata_main(int argc, char **argv)
{
    opts o = {0};
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    if (parse_args(argc, argv, &o) != 0) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    char *text = NULL;
    size_t len = 0;
    if (o.expr_file) {
        int rc =
            bt_file_read(o.expr_file, BT_LIMIT_DEFINITION_BYTES, &text, &len);
        if (rc != 0) {
            cli_error("%s: %s", o.expr_file, bt_strerror(rc));
            return CLI_EXIT_USAGE;
        }
    } else {
        text = bt_xstrdup(o.expr);
        len = strlen(text);
    }
    json_object *input = NULL, *bindings = NULL;
    int rc = CLI_EXIT_USAGE;
    if ((!o.input_file || read_json(o.input_file, &input) == 0) &&
        (!o.bindings_file || read_json(o.bindings_file, &bindings) == 0))
        rc = evaluate(&o, text, len, input, o.input_file != NULL, bindings);
    json_object_put(input);
    json_object_put(bindings);
    free(text);
    return rc;
}
