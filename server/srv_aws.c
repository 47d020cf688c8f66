/*
 * The AWS JSON 1.0 protocol on the loop thread: the action named by
 * X-Amz-Target, the request object, AWS's constraint messages, pagination
 * tokens and error bodies ({"__type", "message"}, status, X-Amzn-Errortype).
 * Every response leaves through srv__reply exactly once per request.
 * srv__handle also hands /v1 requests to the REST front (srv_rest.c) and
 * console pages to srv_console.c.
 */
#include "server/srv_int.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *code;
    int status;
    int rest_status;
    const char *prefix;
} errors[] = {{NULL, 200, 200, NULL},
#define SRV_ERR_ROW(id, code, status, rest_status, prefix)                     \
    {code, status, rest_status, prefix},
              SRV_ERRORS(SRV_ERR_ROW)
#undef SRV_ERR_ROW
};

const char *srv__error_code(srv_error e)
{
    return errors[e].code;
}

int srv__error_status(srv_error e)
{
    return errors[e].status;
}

int srv__error_rest_status(srv_error e)
{
    return errors[e].rest_status;
}

srv_error srv__error_of_message(const char *msg)
{
    for (size_t i = 1; msg && i < sizeof errors / sizeof *errors; i++)
        if (errors[i].prefix &&
            !strncmp(msg, errors[i].prefix, strlen(errors[i].prefix)))
            return (srv_error)i;
    return SRV_INTERNAL;
}

void srv__reply(srv_req *r, int status, srv_error err, const char *body,
                size_t len)
{
    r->err_type = err ? srv__error_code(err) : NULL;
    srv__reply_as(r, status, NULL, body, len);
}

void srv__reply_as(srv_req *r, int status, const char *ctype, const char *body,
                   size_t len)
{
    r->status = status;
    r->ctype = ctype;
    r->resp = bt_xmalloc(len + 1);
    memcpy(r->resp, body, len);
    r->resp[len] = '\0';
    r->resp_len = len;
    struct MHD_Connection *conn = r->conn;
    /* From here on the record belongs to the HTTP thread again. */
    atomic_store(&r->phase, REQ_READY);
    MHD_resume_connection(conn);
}

bool srv__fail(srv_call *c, srv_error err, const char *fmt, ...)
{
    c->err = err;
    free(c->msg);
    c->msg = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        c->msg = bt_xvasprintf(fmt, ap);
        va_end(ap);
    }
    return false;
}

void srv__fail_engine(srv_call *c, char *msg)
{
    c->err = srv__error_of_message(msg);
    free(c->msg);
    c->msg = msg ? msg : bt_xstrdup("internal error");
}

void srv__finish(srv_call *c)
{
    json_object *o = c->out;
    if (c->err) {
        o = json_object_new_object();
        json_object_object_add(o, "__type",
                               json_object_new_string(srv__error_code(c->err)));
        if (c->msg)
            json_object_object_add(o, "message",
                                   json_object_new_string(c->msg));
        json_object_put(c->out);
    } else if (!o) {
        o = json_object_new_object();
    }
    c->out = NULL;
    const char *text = bt_json_compact(o);
    srv__reply(c->r, srv__error_status(c->err), c->err, text, strlen(text));
    json_object_put(o);
    free(c->msg);
    c->msg = NULL;
}

/* ---- members ------------------------------------------------------------ */

srv_call srv__later(srv_req *r)
{
    return (srv_call){r->s, r->s->e, r, NULL, NULL, SRV_OK, NULL, false};
}

bool srv__missing(srv_call *c, const char *where)
{
    return srv__fail(c, SRV_VALIDATION,
                     "1 validation error detected: Value null at '%s' failed "
                     "to satisfy constraint: Member must not be null",
                     where);
}

static const char *json_type_word(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        return "STRING_VALUE";
    case json_type_int:
    case json_type_double:
        return "NUMBER_VALUE";
    case json_type_boolean:
        return "BOOLEAN_VALUE";
    case json_type_array:
        return "START_ARRAY";
    case json_type_object:
        return "START_OBJECT";
    default:
        return "VALUE_NULL";
    }
}

/* Present and not null: *v set. */
static bool member(srv_call *c, const char *name, json_object **v)
{
    return json_object_object_get_ex(c->in, name, v) && *v;
}

static bool wrong_type(srv_call *c, const char *name, json_object *v,
                       const char *want)
{
    return srv__fail(c, SRV_SERIALIZATION,
                     "%s can not be converted to %s "
                     "(member '%s')",
                     json_type_word(v), want, name);
}

bool srv__str(srv_call *c, const char *name, bool required, size_t max,
              bool sensitive, const char **out)
{
    json_object *v;
    *out = NULL;
    if (!member(c, name, &v)) {
        if (required)
            return srv__missing(c, name);
        return true;
    }
    if (!json_object_is_type(v, json_type_string))
        return wrong_type(c, name, v, "String");
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (max && bt_utf8_length(s, len) > max) {
        /* AWS leaves sensitive values (definitions, payloads) out. */
        if (sensitive)
            return srv__fail(c, SRV_VALIDATION,
                             "1 validation error detected: Value at '%s' "
                             "failed to satisfy constraint: Member must have "
                             "length less than or equal to %zu",
                             name, max);
        return srv__fail(c, SRV_VALIDATION,
                         "1 validation error detected: Value '%s' at '%s' "
                         "failed to satisfy constraint: Member must have "
                         "length less than or equal to %zu",
                         s, name, max);
    }
    *out = s;
    return true;
}

bool srv__int(srv_call *c, const char *name, int64_t min, int64_t max,
              int64_t *out)
{
    json_object *v;
    if (!member(c, name, &v))
        return true;
    if (!json_object_is_type(v, json_type_int))
        return wrong_type(c, name, v, "Integer");
    int64_t n = json_object_get_int64(v);
    if (n < min || n > max)
        return srv__fail(c, SRV_VALIDATION,
                         "1 validation error detected: Value '%lld' at '%s' "
                         "failed to satisfy constraint: Member must have "
                         "value %s than or equal to %lld",
                         (long long)n, name, n < min ? "greater" : "less",
                         (long long)(n < min ? min : max));
    *out = n;
    return true;
}

bool srv__bool(srv_call *c, const char *name, bool *out)
{
    json_object *v;
    if (!member(c, name, &v))
        return true;
    if (!json_object_is_type(v, json_type_boolean))
        return wrong_type(c, name, v, "Boolean");
    *out = json_object_get_boolean(v);
    return true;
}

bool srv__enum(srv_call *c, const char *name, const char *const *values,
               const char **out)
{
    const char *s;
    if (!srv__str(c, name, false, 0, false, &s))
        return false;
    *out = NULL;
    if (!s)
        return true;
    for (size_t i = 0; values[i]; i++)
        if (!strcmp(s, values[i])) {
            *out = s;
            return true;
        }
    bt_buf set;
    bt_buf_init(&set);
    for (size_t i = 0; values[i]; i++)
        bt_buf_printf(&set, "%s%s", i ? ", " : "", values[i]);
    srv__fail(c, SRV_VALIDATION,
              "1 validation error detected: Value '%s' at '%s' failed to "
              "satisfy constraint: Member must satisfy enum value set: [%s]",
              s, name, set.data);
    bt_buf_fini(&set);
    return false;
}

bool srv__arn_type(const char *arn, char *type, size_t cap)
{
    const char *p = arn;
    for (int i = 0; i < 5; i++) {
        p = strchr(p, ':');
        if (!p)
            return false;
        p++;
    }
    size_t n = strcspn(p, ":");
    if (!p[n] || n >= cap)
        return false;
    memcpy(type, p, n);
    type[n] = '\0';
    return true;
}

bool srv__arn(srv_call *c, const char *name, const char *type,
              const char *type2, const char **out)
{
    if (!srv__str(c, name, true, 256, false, out))
        return false;
    const char *a = *out;
    char t[32];
    if (strncmp(a, "arn:", 4) != 0 || !srv__arn_type(a, t, sizeof t))
        return srv__fail(c, SRV_INVALID_ARN,
                         "Invalid Arn: 'Invalid ARN prefix: %s'", a);
    if (strcmp(t, type) != 0 && !(type2 && !strcmp(t, type2)))
        return srv__fail(c, SRV_INVALID_ARN,
                         "Invalid Arn: 'Resource type not valid in this "
                         "context: %s'",
                         t);
    return true;
}

/* ---- pagination ------------------------------------------------------------
 * A token is "<offset>.<check>": check binds it to the action, the key
 * and this server's run, so a garbled or foreign token is InvalidToken. */

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static uint64_t token_check(srv_call *c, const char *key, size_t offset)
{
    char n[32];
    snprintf(n, sizeof n, "%zu", offset);
    uint64_t h = fnv(UINT64_C(14695981039346656037) ^ c->s->seed,
                     c->r->action ? c->r->action : "");
    h = fnv(h, "|");
    h = fnv(h, key ? key : "");
    h = fnv(h, "|");
    return fnv(h, n);
}

static bool token_read(srv_call *c, const char *token, const char *key,
                       size_t *offset)
{
    char *end;
    unsigned long long off = strtoull(token, &end, 10);
    if (end == token || *end != '.')
        return false;
    unsigned long long check = strtoull(end + 1, &end, 16);
    if (*end || check != token_check(c, key, (size_t)off))
        return false;
    *offset = (size_t)off;
    return true;
}

bool srv__page_args(srv_call *c, const char *key, size_t token_max,
                    size_t *offset, size_t *want)
{
    int64_t max = 0;
    const char *token = NULL;
    *offset = 0;
    if (!srv__int(c, "maxResults", 0, 1000, &max) ||
        !srv__str(c, "nextToken", false, token_max, false, &token))
        return false;
    if (token && !token_read(c, token, key, offset))
        return srv__fail(c, SRV_INVALID_TOKEN,
                         "Invalid Token: 'Invalid token'");
    *want = max > 0 ? (size_t)max : 100;
    return true;
}

void srv__page_put(srv_call *c, json_object *page, const char *list,
                   const char *key, bool more, size_t next)
{
    if (!c->out)
        c->out = json_object_new_object();
    json_object_object_add(c->out, list, page);
    if (more) {
        char t[64];
        snprintf(t, sizeof t, "%zu.%llx", next,
                 (unsigned long long)token_check(c, key, next));
        json_object_object_add(c->out, "nextToken", json_object_new_string(t));
    }
}

bool srv__page(srv_call *c, json_object *items, const char *list,
               const char *key, size_t token_max)
{
    size_t offset, want;
    if (!srv__page_args(c, key, token_max, &offset, &want)) {
        json_object_put(items);
        return false;
    }
    size_t n = json_object_array_length(items);
    json_object *page = json_object_new_array();
    size_t i = offset;
    for (; i < n && i - offset < want; i++)
        json_object_array_add(
            page, json_object_get(json_object_array_get_idx(items, i)));
    json_object_put(items);
    srv__page_put(c, page, list, key, i < n, i);
    return true;
}

/* ---- dispatch ---------------------------------------------------------- */

static const struct action {
    const char *name;
    void (*fn)(srv_call *c);
} actions[] = {
#define SRV_ACTION_ROW(name, fn) {#name, fn},
    SRV_ACTIONS(SRV_ACTION_ROW)
#undef SRV_ACTION_ROW
};

static const struct action *find_action(const char *target)
{
    static const char prefix[] = "AWSStepFunctions.";
    if (!target || strncmp(target, prefix, sizeof prefix - 1) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
        if (!strcmp(target + sizeof prefix - 1, actions[i].name))
            return &actions[i];
    return NULL;
}

static bool parse_body(srv_call *c, json_object **in)
{
    srv_req *r = c->r;
    if (r->body.len == 0) {
        *in = json_object_new_object();
        return true;
    }
    bt_json_error jerr;
    if (bt_json_parse(r->body.data, r->body.len, BT_LIMIT_JSON_DEPTH, in,
                      &jerr) != 0)
        return srv__fail(c, SRV_SERIALIZATION, "%s at line %d, column %d",
                         jerr.message, jerr.line, jerr.column);
    if (!json_object_is_type(*in, json_type_object)) {
        json_object_put(*in);
        *in = NULL;
        return srv__fail(c, SRV_SERIALIZATION,
                         "Start of structure or map found where not "
                         "expected");
    }
    return true;
}

const char *srv__arg(const srv_req *r, const char *key)
{
    for (size_t i = 0; i < r->nargs; i++)
        if (!strcmp(r->args[i].key, key))
            return r->args[i].value;
    return NULL;
}

static void handle_aws(srv_req *r)
{
    srv_call c = srv__later(r);
    const struct action *a = find_action(r->target);
    json_object *in = NULL;
    if (!a) {
        srv__fail(&c, SRV_UNKNOWN_OPERATION, NULL);
    } else {
        r->action = a->name;
        if (parse_body(&c, &in)) {
            c.in = in;
            a->fn(&c);
        }
    }
    json_object_put(in);
    if (!c.deferred)
        srv__finish(&c);
}

void srv__handle(void *arg)
{
    srv_req *r = arg;
    switch (r->route) {
    case ROUTE_AWS:
        handle_aws(r);
        break;
    case ROUTE_REST:
        srv__rest(r);
        break;
    case ROUTE_LAMBDA:
        srv__lambda(r);
        break;
    case ROUTE_METRICS: {
        char *text = eng_metrics(r->s->e);
        r->action = "Metrics";
        srv__reply_as(r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
                      strlen(text));
        free(text);
        break;
    }
    case ROUTE_CONSOLE:
        srv__console(r);
        break;
    }
}
