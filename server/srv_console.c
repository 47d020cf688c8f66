/*
 * The web console: plain server-rendered HTML, no scripts, written with
 * libxml2's writer (srv_xml.c) so that every name, input and cause is
 * escaped. Runs on the loop thread and reads through the engine's calls.
 *
 *   /console/                        state machines and recent executions
 *   /console/state-machines/<ARN>    one machine: executions, graph
 *   /console/executions/<ARN>        one execution: status, graph coloured
 *                                    by its history, states, I/O, events
 *   GET / with Accept: text/html     the same as /console/
 *
 * ARNs sit in the path percent-encoded (every byte but A-Z a-z 0-9 - . _
 * ~); libmicrohttpd decodes the path before it reaches us. Anything else
 * is a 404 page; methods other than GET and HEAD get 405.
 */
#include "server/srv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/graph.h"

#define CTYPE_HTML "text/html; charset=utf-8"
/* Rows a page lists at most; the rest is counted, not shown. */
#define CONSOLE_EXECUTIONS_MAX 500
#define CONSOLE_RECENT_MAX 25
#define CONSOLE_HISTORY_MAX 1000
#define CONSOLE_DETAILS_CHARS 300 /* of one event's details in the table */

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:0;color:#18181b;"
    "background:#fafafa}"
    "header{background:#18181b;color:#fff;padding:.6rem 1.2rem}"
    "header a{color:#fff;text-decoration:none}"
    "header .brand{font-weight:bold;margin-right:1rem}"
    "nav span{margin:0 .4rem;color:#a1a1aa}"
    "main{padding:1rem 1.2rem;max-width:80rem}"
    "h1{font-size:1.5rem;margin:.4rem 0 1rem}h2{font-size:1.15rem;"
    "margin:1.6rem 0 .6rem}"
    "table{border-collapse:collapse;background:#fff;font-size:.9rem}"
    "th,td{border:1px solid #e4e4e7;padding:.3rem .6rem;text-align:left;"
    "vertical-align:top}"
    "th{background:#f4f4f5}td.num{text-align:right}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.3rem 1rem}"
    "footer{padding:0 1.2rem 1rem}"
    "dt{font-weight:bold}dd{margin:0;word-break:break-all}"
    "pre{background:#fff;border:1px solid #e4e4e7;padding:.6rem;"
    "overflow:auto;max-height:24rem}"
    "code.details{font-size:.8rem;word-break:break-all}"
    ".graph{background:#fff;border:1px solid #e4e4e7;overflow:auto;"
    "display:inline-block;max-width:100%}"
    ".status{padding:.1rem .45rem;border-radius:.3rem;font-size:.85rem;"
    "border:1px solid}"
    ".status-running{background:#dbeafe;border-color:#2563eb}"
    ".status-succeeded{background:#dcfce7;border-color:#16a34a}"
    ".status-failed,.status-timed-out{background:#fee2e2;"
    "border-color:#dc2626}"
    ".status-caught{background:#ffedd5;border-color:#ea580c}"
    ".status-aborted,.status-pending-redrive{background:#e4e4e7;"
    "border-color:#52525b}"
    ".status-not-started{background:#f4f4f5;border-color:#a1a1aa}"
    ".muted{color:#71717a}";

/* ---- small helpers ------------------------------------------------------ */

/* Milliseconds since the epoch from an epoch-seconds member; -1 if none. */
static int64_t ms_of(json_object *o, const char *k)
{
    json_object *v;
    if (!json_object_object_get_ex(o, k, &v) || !v)
        return -1;
    return (int64_t)(json_object_get_double(v) * 1000.0 + 0.5);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "2026-01-02 03:04:05 UTC" (with_ms: "...05.678 UTC"). */
static void format_time(int64_t ms, bool with_ms, char out[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%d %H:%M:%S", &tm);
    if (with_ms)
        snprintf(out, 40, "%s.%03d UTC", base, (int)(ms % 1000));
    else
        snprintf(out, 40, "%s UTC", base);
}

/* "850 ms", "12.3 s", "4 min 05 s", "2 h 07 min". */
static void format_duration(int64_t ms, char out[32])
{
    if (ms < 0)
        ms = 0;
    if (ms < 1000)
        snprintf(out, 32, "%lld ms", (long long)ms);
    else if (ms < 60000)
        snprintf(out, 32, "%.1f s", (double)ms / 1000.0);
    else if (ms < 3600000)
        snprintf(out, 32, "%lld min %02lld s", (long long)(ms / 60000),
                 (long long)(ms / 1000 % 60));
    else
        snprintf(out, 32, "%lld h %02lld min", (long long)(ms / 3600000),
                 (long long)(ms / 60000 % 60));
}

/* A path segment: every byte but the unreserved ones as %XX. */
static void url_segment(bt_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            bt_buf_putc(b, (char)*p);
        else
            bt_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

static char *href(const char *kind, const char *arn)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b, "/console/%s/", kind);
    url_segment(&b, arn);
    return bt_buf_take(&b);
}

/* ---- page frame -------------------------------------------------------- */

typedef struct page {
    srv_req *r;
    srv *s;
    srv_xml x;
} page;

static void anchor(page *p, const char *url, const char *text)
{
    srv__xml_open(&p->x, "a");
    srv__xml_attr(&p->x, "href", url);
    srv__xml_text(&p->x, text);
    srv__xml_close(&p->x);
}

static void link_to(page *p, const char *kind, const char *arn,
                    const char *text)
{
    char *url = href(kind, arn);
    anchor(p, url, text);
    free(url);
}

/* A breadcrumb after "Baton": a machine (NULL: none) and a last text. */
static void page_begin(page *p, srv_req *r, const char *title,
                       const char *machine_arn, const char *machine_name,
                       bool refresh)
{
    p->r = r;
    p->s = r->s;
    srv_xml *x = &p->x;
    srv__xml_begin(x, true);
    srv__xml_raw(x, "<!DOCTYPE html>\n");
    srv__xml_open(x, "html");
    srv__xml_attr(x, "lang", "en");
    srv__xml_open(x, "head");
    srv__xml_open(x, "meta");
    srv__xml_attr(x, "charset", "utf-8");
    srv__xml_close_short(x);
    srv__xml_open(x, "meta");
    srv__xml_attr(x, "name", "viewport");
    srv__xml_attr(x, "content", "width=device-width, initial-scale=1");
    srv__xml_close_short(x);
    if (refresh) { /* a running execution: show its progress */
        srv__xml_open(x, "meta");
        srv__xml_attr(x, "http-equiv", "refresh");
        srv__xml_attr(x, "content", "5");
        srv__xml_close_short(x);
    }
    srv__xml_open(x, "title");
    srv__xml_textf(x, "%s \xC2\xB7 Baton", title);
    srv__xml_close(x);
    srv__xml_element(x, "style", css);
    srv__xml_close(x); /* head */
    srv__xml_open(x, "body");
    srv__xml_open(x, "header");
    srv__xml_open(x, "nav");
    srv__xml_open(x, "a");
    srv__xml_attr(x, "class", "brand");
    srv__xml_attr(x, "href", "/console/");
    srv__xml_text(x, "Baton");
    srv__xml_close(x);
    anchor(p, "/console/", "State machines");
    if (machine_arn) {
        srv__xml_element(x, "span", "\xE2\x80\xBA");
        link_to(p, "state-machines", machine_arn, machine_name);
    }
    srv__xml_close(x); /* nav */
    srv__xml_close(x); /* header */
    srv__xml_open(x, "main");
    srv__xml_element(x, "h1", title);
}

static void page_send(page *p, int status)
{
    srv__xml_close(&p->x); /* main */
    srv__xml_open(&p->x, "footer");
    srv__xml_attr(&p->x, "class", "muted");
    srv__xml_text(&p->x, "Times are UTC.");
    srv__xml_close(&p->x);
    bt_buf out;
    bt_buf_init(&out);
    if (srv__xml_end(&p->x, &out) != 0) {
        static const char oops[] =
            "<!DOCTYPE html>\n<title>Error</title><h1>The page could not "
            "be written</h1>\n";
        srv__reply_as(p->r, 500, CTYPE_HTML, oops, sizeof oops - 1);
    } else {
        srv__reply_as(p->r, status, CTYPE_HTML, out.data, out.len);
    }
    bt_buf_fini(&out);
}

static void not_found(srv_req *r, const char *what, const char *name)
{
    page p;
    page_begin(&p, r, "Not found", NULL, NULL, false);
    srv__xml_open(&p.x, "p");
    srv__xml_attr(&p.x, "class", "not-found");
    srv__xml_textf(&p.x, "%s '%s' does not exist.", what, name);
    srv__xml_close(&p.x);
    srv__xml_open(&p.x, "p");
    anchor(&p, "/console/", "All state machines");
    srv__xml_close(&p.x);
    page_send(&p, 404);
}

/* ---- pieces shared by the pages -------------------------------------------
 */

static void status_badge(page *p, const char *status)
{
    char cls[48];
    size_t n = 0;
    for (const char *c = status ? status : "?"; *c && n < 20; c++)
        cls[n++] = *c == '_' ? '-' : (char)(*c | 0x20);
    cls[n] = '\0';
    srv__xml_open(&p->x, "span");
    srv__xml_attrf(&p->x, "class", "status status-%s", cls);
    srv__xml_text(&p->x, status ? status : "?");
    srv__xml_close(&p->x);
}

static void cell(page *p, const char *cls, const char *text)
{
    srv__xml_open(&p->x, "td");
    srv__xml_attr(&p->x, "class", cls);
    srv__xml_text(&p->x, text);
    srv__xml_close(&p->x);
}

static void head_row(page *p, const char *const *names)
{
    srv__xml_open(&p->x, "thead");
    srv__xml_open(&p->x, "tr");
    for (size_t i = 0; names[i]; i++)
        srv__xml_element(&p->x, "th", names[i]);
    srv__xml_close(&p->x);
    srv__xml_close(&p->x);
}

static void time_cell(page *p, int64_t ms)
{
    char t[40];
    srv__xml_open(&p->x, "td");
    if (ms >= 0) {
        format_time(ms, false, t);
        srv__xml_open(&p->x, "time");
        srv__xml_attrf(&p->x, "datetime", "%.10sT%.8sZ", t, t + 11);
        srv__xml_text(&p->x, t);
        srv__xml_close(&p->x);
    }
    srv__xml_close(&p->x);
}

static void duration_cell(page *p, json_object *x)
{
    int64_t start = ms_of(x, "startDate"), stop = ms_of(x, "stopDate");
    char d[32], text[48];
    format_duration((stop >= 0 ? stop : now_ms()) - start, d);
    snprintf(text, sizeof text, "%s%s", d, stop >= 0 ? "" : " so far");
    cell(p, "num", text);
}

/* One row of an executions table; with_machine adds the machine column. */
static void execution_row(page *p, json_object *x, bool with_machine)
{
    const char *arn = bt_json_str(x, "executionArn");
    srv__xml_open(&p->x, "tr");
    srv__xml_attr(&p->x, "data-execution", arn);
    srv__xml_open(&p->x, "td");
    link_to(p, "executions", arn, bt_json_str(x, "name"));
    srv__xml_close(&p->x);
    if (with_machine) {
        const char *m = bt_json_str(x, "stateMachineArn");
        const char *colon = m ? strrchr(m, ':') : NULL;
        srv__xml_open(&p->x, "td");
        if (m)
            link_to(p, "state-machines", m, colon ? colon + 1 : m);
        srv__xml_close(&p->x);
    }
    srv__xml_open(&p->x, "td");
    status_badge(p, bt_json_str(x, "status"));
    srv__xml_close(&p->x);
    time_cell(p, ms_of(x, "startDate"));
    if (!with_machine)
        time_cell(p, ms_of(x, "stopDate"));
    duration_cell(p, x);
    srv__xml_close(&p->x);
}

/* Writes the graph of a definition (and history) inside a figure. */
static void graph_figure(page *p, const char *definition, const char *type,
                         json_object *history)
{
    sl_machine_type t = SL_MACHINE_STANDARD;
    if (type && !sl_machine_type_parse(type, &t))
        t = SL_MACHINE_STANDARD;
    sl_compile_opts co = {t};
    sl_diags d;
    sl_diags_init(&d);
    sl_machine *m = NULL;
    if (!definition ||
        sl_machine_compile(definition, strlen(definition), &co, &m, &d) != 0) {
        srv__xml_element(&p->x, "p", "The definition could not be drawn.");
        sl_diags_fini(&d);
        return;
    }
    sl_diags_fini(&d);
    srv_graph *g = srv_graph_new(m, history);
    bt_buf svg;
    bt_buf_init(&svg);
    srv__xml_open(&p->x, "div");
    srv__xml_attr(&p->x, "class", "graph");
    srv__xml_attr(&p->x, "id", "graph");
    if (srv_graph_svg(g, true, &svg) == 0)
        srv__xml_raw(&p->x, svg.data);
    else
        srv__xml_element(&p->x, "p", "The graph could not be drawn.");
    srv__xml_close(&p->x);
    bt_buf_fini(&svg);
    if (history) {
        static const char *const cols[] = {"State", "Type", "Status", "Entered",
                                           NULL};
        srv__xml_element(&p->x, "h2", "States");
        srv__xml_open(&p->x, "table");
        srv__xml_attr(&p->x, "id", "states");
        head_row(p, cols);
        srv__xml_open(&p->x, "tbody");
        for (size_t i = 0; i < srv_graph_state_count(g); i++) {
            srv_graph_status st = srv_graph_state_status(g, i);
            srv__xml_open(&p->x, "tr");
            srv__xml_attr(&p->x, "data-state", srv_graph_state_name(g, i));
            cell(p, NULL, srv_graph_state_name(g, i));
            cell(p, NULL, srv_graph_state_type(g, i));
            srv__xml_open(&p->x, "td");
            srv__xml_open(&p->x, "span");
            srv__xml_attrf(&p->x, "class", "status status-%s",
                           srv_graph_status_word(st));
            srv__xml_text(&p->x, srv_graph_status_label(st));
            srv__xml_close(&p->x);
            srv__xml_close(&p->x);
            char n[24];
            snprintf(n, sizeof n, "%zu", srv_graph_state_visits(g, i));
            cell(p, "num", n);
            srv__xml_close(&p->x);
        }
        srv__xml_close(&p->x);
        srv__xml_close(&p->x);
    }
    srv_graph_free(g);
    sl_machine_free(m);
}

/* JSON text pretty-printed in a <pre> (as given when it does not parse). */
static void json_block(page *p, const char *id, const char *text)
{
    json_object *v = NULL;
    bool ok = text && bt_json_parse(text, strlen(text), BT_LIMIT_JSON_DEPTH, &v,
                                    NULL) == 0;
    srv__xml_open(&p->x, "pre");
    srv__xml_attr(&p->x, "id", id);
    srv__xml_text(&p->x, ok ? json_object_to_json_string_ext(
                                  v, JSON_C_TO_STRING_PRETTY |
                                         JSON_C_TO_STRING_SPACED |
                                         JSON_C_TO_STRING_NOSLASHESCAPE)
                            : text);
    srv__xml_close(&p->x);
    json_object_put(v);
}

static void dl_item(page *p, const char *term, const char *value)
{
    if (!value)
        return;
    srv__xml_element(&p->x, "dt", term);
    srv__xml_element(&p->x, "dd", value);
}

/* ---- home ------------------------------------------------------------------
 */

enum { COUNT_RUNNING, COUNT_SUCCEEDED, COUNT_FAILED, COUNT_OTHER, COUNTS };

static void machines_table(page *p, json_object *machines, json_object *execs)
{
    size_t nm = json_object_array_length(machines);
    int64_t(*counts)[COUNTS] = bt_xcalloc(nm + 1, sizeof *counts);
    json_object *index = json_object_new_object(); /* arn -> row */
    for (size_t i = 0; i < nm; i++)
        json_object_object_add(
            index,
            bt_json_str(json_object_array_get_idx(machines, i),
                        "stateMachineArn"),
            json_object_new_int64((int64_t)i));
    for (size_t i = 0; i < json_object_array_length(execs); i++) {
        json_object *x = json_object_array_get_idx(execs, i), *row;
        const char *st = bt_json_str(x, "status");
        if (!json_object_object_get_ex(index, bt_json_str(x, "stateMachineArn"),
                                       &row) ||
            !st)
            continue;
        int k = !strcmp(st, "RUNNING")     ? COUNT_RUNNING
                : !strcmp(st, "SUCCEEDED") ? COUNT_SUCCEEDED
                : !strcmp(st, "FAILED")    ? COUNT_FAILED
                                           : COUNT_OTHER;
        counts[json_object_get_int64(row)][k]++;
    }
    static const char *const cols[] = {"Name",    "Type",      "Created",
                                       "Running", "Succeeded", "Failed",
                                       "Other",   "Total",     NULL};
    srv__xml_open(&p->x, "table");
    srv__xml_attr(&p->x, "id", "machines");
    head_row(p, cols);
    srv__xml_open(&p->x, "tbody");
    for (size_t i = 0; i < nm; i++) {
        json_object *m = json_object_array_get_idx(machines, i);
        srv__xml_open(&p->x, "tr");
        srv__xml_attr(&p->x, "data-machine", bt_json_str(m, "stateMachineArn"));
        srv__xml_open(&p->x, "td");
        link_to(p, "state-machines", bt_json_str(m, "stateMachineArn"),
                bt_json_str(m, "name"));
        srv__xml_close(&p->x);
        cell(p, NULL, bt_json_str(m, "type"));
        time_cell(p, ms_of(m, "creationDate"));
        int64_t total = 0;
        for (int k = 0; k <= COUNTS; k++) {
            char n[24];
            int64_t v = k < COUNTS ? counts[i][k] : total;
            total += k < COUNTS ? v : 0;
            snprintf(n, sizeof n, "%lld", (long long)v);
            cell(p, "num", n);
        }
        srv__xml_close(&p->x);
    }
    srv__xml_close(&p->x);
    srv__xml_close(&p->x);
    json_object_put(index);
    free(counts);
}

static void home(srv_req *r)
{
    page p;
    page_begin(&p, r, "State machines", NULL, NULL, false);
    json_object *machines = eng_machine_list(r->s->e);
    json_object *execs = eng_execution_list(r->s->e);
    if (json_object_array_length(machines) == 0)
        srv__xml_element(&p.x, "p",
                         "No state machines yet. Create one with the AWS "
                         "API (CreateStateMachine), for example "
                         "aws stepfunctions create-state-machine "
                         "--endpoint-url http://HOST:PORT ...");
    else
        machines_table(&p, machines, execs);
    srv__xml_element(&p.x, "h2", "Recent executions");
    size_t n = json_object_array_length(execs);
    if (n == 0) {
        srv__xml_element(&p.x, "p", "No executions yet.");
    } else {
        static const char *const cols[] = {"Name",    "State machine", "Status",
                                           "Started", "Duration",      NULL};
        srv__xml_open(&p.x, "table");
        srv__xml_attr(&p.x, "id", "recent");
        head_row(&p, cols);
        srv__xml_open(&p.x, "tbody");
        for (size_t i = 0; i < n && i < CONSOLE_RECENT_MAX; i++)
            execution_row(&p, json_object_array_get_idx(execs, i), true);
        srv__xml_close(&p.x);
        srv__xml_close(&p.x);
    }
    json_object_put(machines);
    json_object_put(execs);
    page_send(&p, 200);
}

/* ---- one state machine -----------------------------------------------------
 */

/* A machine's executions, newest first (at most CONSOLE_EXECUTIONS_MAX). */
static void executions_table(page *p, json_object *items)
{
    static const char *const cols[] = {"Name",    "Status",   "Started",
                                       "Stopped", "Duration", NULL};
    size_t n = json_object_array_length(items);
    if (n == 0) {
        srv__xml_element(&p->x, "p", "No executions yet.");
        return;
    }
    srv__xml_open(&p->x, "table");
    srv__xml_attr(&p->x, "id", "executions");
    head_row(p, cols);
    srv__xml_open(&p->x, "tbody");
    for (size_t i = 0; i < n && i < CONSOLE_EXECUTIONS_MAX; i++)
        execution_row(p, json_object_array_get_idx(items, i), false);
    srv__xml_close(&p->x);
    srv__xml_close(&p->x);
    if (n > CONSOLE_EXECUTIONS_MAX) {
        srv__xml_open(&p->x, "p");
        srv__xml_textf(&p->x, "The newest %d of %zu executions.",
                       CONSOLE_EXECUTIONS_MAX, n);
        srv__xml_close(&p->x);
    }
}

static void machine_page(srv_req *r, const char *arn)
{
    json_object *m = eng_machine_describe(r->s->e, arn);
    if (!m) {
        not_found(r, "State machine", arn);
        return;
    }
    page p;
    page_begin(&p, r, bt_json_str(m, "name"), NULL, NULL, false);
    char created[40];
    format_time(ms_of(m, "creationDate"), false, created);
    srv__xml_open(&p.x, "dl");
    dl_item(&p, "ARN", bt_json_str(m, "stateMachineArn"));
    dl_item(&p, "Type", bt_json_str(m, "type"));
    dl_item(&p, "Created", created);
    dl_item(&p, "Revision", bt_json_str(m, "revisionId"));
    dl_item(&p, "Role", bt_json_str(m, "roleArn"));
    srv__xml_close(&p.x);
    srv__xml_element(&p.x, "h2", "Executions");
    json_object *all = eng_execution_list(r->s->e);
    json_object *mine = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *x = json_object_array_get_idx(all, i);
        const char *sm = bt_json_str(x, "stateMachineArn");
        if (sm && !strcmp(sm, bt_json_str(m, "stateMachineArn")))
            json_object_array_add(mine, json_object_get(x));
    }
    executions_table(&p, mine);
    json_object_put(mine);
    json_object_put(all);
    srv__xml_element(&p.x, "h2", "Graph");
    graph_figure(&p, bt_json_str(m, "definition"), bt_json_str(m, "type"),
                 NULL);
    srv__xml_element(&p.x, "h2", "Definition");
    json_block(&p, "definition", bt_json_str(m, "definition"));
    json_object_put(m);
    page_send(&p, 200);
}

/* ---- one execution
 * ------------------------------------------------------------ */

static const char *event_state(json_object *ev)
{
    json_object_object_foreach(ev, k, v)
    {
        const char *n =
            strstr(k, "EventDetails") ? bt_json_str(v, "name") : NULL;
        if (n &&
            (!strncmp(k, "stateEntered", 12) || !strncmp(k, "stateExited", 11)))
            return n;
        if (!strcmp(k, "evaluationFailedEventDetails"))
            return bt_json_str(v, "state");
    }
    return NULL;
}

static void history_table(page *p, json_object *events)
{
    static const char *const cols[] = {"ID",    "Previous", "Type", "Time",
                                       "State", "Details",  NULL};
    size_t n = json_object_array_length(events);
    srv__xml_open(&p->x, "table");
    srv__xml_attr(&p->x, "id", "history");
    head_row(p, cols);
    srv__xml_open(&p->x, "tbody");
    for (size_t i = 0; i < n && i < CONSOLE_HISTORY_MAX; i++) {
        json_object *ev = json_object_array_get_idx(events, i), *v;
        char t[40], id[24], prev[24];
        snprintf(id, sizeof id, "%lld",
                 json_object_object_get_ex(ev, "id", &v)
                     ? (long long)json_object_get_int64(v)
                     : 0LL);
        snprintf(prev, sizeof prev, "%lld",
                 json_object_object_get_ex(ev, "previousEventId", &v)
                     ? (long long)json_object_get_int64(v)
                     : 0LL);
        format_time(ms_of(ev, "timestamp"), true, t);
        srv__xml_open(&p->x, "tr");
        cell(p, "num", id);
        cell(p, "num", prev);
        cell(p, NULL, bt_json_str(ev, "type"));
        cell(p, NULL, t);
        cell(p, NULL, event_state(ev));
        srv__xml_open(&p->x, "td");
        json_object_object_foreach(ev, k, d)
        {
            if (!strstr(k, "EventDetails"))
                continue;
            const char *text = bt_json_compact(d);
            srv__xml_open(&p->x, "code");
            srv__xml_attr(&p->x, "class", "details");
            if (strlen(text) > CONSOLE_DETAILS_CHARS)
                srv__xml_textf(&p->x, "%.*s\xE2\x80\xA6", CONSOLE_DETAILS_CHARS,
                               text);
            else
                srv__xml_text(&p->x, text);
            srv__xml_close(&p->x);
        }
        srv__xml_close(&p->x);
        srv__xml_close(&p->x);
    }
    srv__xml_close(&p->x);
    srv__xml_close(&p->x);
    if (n > CONSOLE_HISTORY_MAX)
        srv__xml_element(&p->x, "p",
                         "Only the first events are listed; the graph uses "
                         "them all.");
}

static void execution_facts(page *p, json_object *d, const char *machine)
{
    char start[40], stop[40], dur[32];
    int64_t s0 = ms_of(d, "startDate"), s1 = ms_of(d, "stopDate");
    format_time(s0, false, start);
    if (s1 >= 0)
        format_time(s1, false, stop);
    format_duration((s1 >= 0 ? s1 : now_ms()) - s0, dur);
    srv__xml_open(&p->x, "dl");
    srv__xml_element(&p->x, "dt", "Status");
    srv__xml_open(&p->x, "dd");
    srv__xml_attr(&p->x, "id", "status");
    status_badge(p, bt_json_str(d, "status"));
    srv__xml_close(&p->x);
    srv__xml_element(&p->x, "dt", "State machine");
    srv__xml_open(&p->x, "dd");
    link_to(p, "state-machines", bt_json_str(d, "stateMachineArn"), machine);
    srv__xml_close(&p->x);
    dl_item(p, "ARN", bt_json_str(d, "executionArn"));
    dl_item(p, "Started", start);
    dl_item(p, "Stopped", s1 >= 0 ? stop : NULL);
    dl_item(p, s1 >= 0 ? "Duration" : "Running for", dur);
    dl_item(p, "Error", bt_json_str(d, "error"));
    dl_item(p, "Cause", bt_json_str(d, "cause"));
    srv__xml_close(&p->x);
}

static void execution_page(srv_req *r, const char *arn)
{
    eng *e = r->s->e;
    json_object *d = eng_execution_describe(e, arn);
    if (!d) {
        not_found(r, "Execution", arn);
        return;
    }
    const char *exec_arn = bt_json_str(d, "executionArn");
    const char *machine_arn = bt_json_str(d, "stateMachineArn");
    json_object *cur = eng_machine_describe(e, machine_arn);
    bool gone = false;
    json_object *rev = eng_execution_machine(e, exec_arn, &gone);
    const char *machine = cur ? bt_json_str(cur, "name") : NULL;
    if (!machine)
        machine = strrchr(machine_arn, ':') ? strrchr(machine_arn, ':') + 1
                                            : machine_arn;
    const char *status = bt_json_str(d, "status");
    page p;
    page_begin(&p, r, bt_json_str(d, "name"), machine_arn, machine,
               status && !strcmp(status, "RUNNING"));
    execution_facts(&p, d, machine);
    json_object *events = eng_execution_history(e, exec_arn);
    srv__xml_element(&p.x, "h2", "Graph");
    if (rev)
        graph_figure(&p, bt_json_str(rev, "definition"),
                     cur ? bt_json_str(cur, "type") : NULL, events);
    else
        srv__xml_element(&p.x, "p",
                         "The state machine was deleted; its graph is "
                         "gone with it.");
    srv__xml_element(&p.x, "h2", "Input");
    json_block(&p, "input", bt_json_str(d, "input"));
    if (bt_json_str(d, "output")) {
        srv__xml_element(&p.x, "h2", "Output");
        json_block(&p, "output", bt_json_str(d, "output"));
    }
    srv__xml_element(&p.x, "h2", "History");
    history_table(&p, events);
    json_object_put(events);
    json_object_put(rev);
    json_object_put(cur);
    json_object_put(d);
    page_send(&p, 200);
}

/* ---- routing ----------------------------------------------------------------
 */

static bool starts(const char *s, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return false;
    *rest = s + n;
    return true;
}

void srv__console(srv_req *r)
{
    r->action = "Console";
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        static const char text[] =
            "<!DOCTYPE html>\n<title>Method not allowed</title>"
            "<h1>Method not allowed</h1><p>The console only reads: use GET."
            "</p>\n";
        srv__reply_as(r, 405, CTYPE_HTML, text, sizeof text - 1);
        return;
    }
    /* r->path arrives percent-decoded from libmicrohttpd. */
    const char *path = r->path, *rest;
    if (!strcmp(path, "/") || !strcmp(path, "/console") ||
        !strcmp(path, "/console/"))
        home(r);
    else if (starts(path, "/console/state-machines/", &rest) && *rest)
        machine_page(r, rest);
    else if (starts(path, "/console/executions/", &rest) && *rest)
        execution_page(r, rest);
    else
        not_found(r, "Page", path);
}
