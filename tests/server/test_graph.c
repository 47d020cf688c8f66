/*
 * Tests for the workflow graph (server/graph.h): which states and edges
 * the SVG holds for a definition, and each state's status for a given
 * history.
 *
 * Expected edges come from the definition's transitions (reference §1.3,
 * §2.4, §6.5: Next, Choices[].Next, Default, Catch[].Next; End, Succeed
 * and Fail end a scope). Histories are written by hand after the
 * reference's canonical sequences (§11.3) and previousEventId rules
 * (§11.4), §8.1 (Parallel), §8.3 (inline Map) and §6.5 (Catch); the
 * expected statuses follow from graph.h's definitions. The SVG is read
 * back with libxml2 and queried with XPath, as a browser would see it.
 * JSON is written with ` for " (swapped back by J()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "server/graph.h"

/* ---- helpers ----------------------------------------------------------------
 */

static char *dequote(const char *s)
{
    char *t = bt_xstrdup(s);
    for (char *p = t; *p; p++)
        if (*p == '`')
            *p = '"';
    return t;
}

static json_object *J(const char *text)
{
    char *t = dequote(text);
    json_object *v = NULL;
    bt_json_error e;
    if (bt_json_parse(t, strlen(t), BT_LIMIT_JSON_DEPTH, &v, &e) != 0)
        fail_msg("bad test JSON %s: %s", t, e.message);
    free(t);
    return v;
}

static sl_machine *compile(const char *def)
{
    char *t = dequote(def);
    sl_diags d;
    sl_diags_init(&d);
    sl_machine *m = NULL;
    sl_compile_opts o = {SL_MACHINE_STANDARD};
    if (sl_machine_compile(t, strlen(t), &o, &m, &d) != 0)
        fail_msg("definition rejected: %s at %s",
                 d.len ? d.items[0].message : "?",
                 d.len && d.items[0].location ? d.items[0].location : "-");
    sl_diags_fini(&d);
    free(t);
    return m;
}

/* One history event: type, id, previous id and an optional details
 * member (JSON text with `). */
typedef struct ev {
    const char *type;
    int id, prev;
    const char *details;
} ev;

static json_object *history(const ev *evs, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *o =
            evs[i].details ? J(evs[i].details) : json_object_new_object();
        json_object_object_add(o, "type", json_object_new_string(evs[i].type));
        json_object_object_add(o, "id", json_object_new_int(evs[i].id));
        json_object_object_add(o, "previousEventId",
                               json_object_new_int(evs[i].prev));
        json_object_object_add(o, "timestamp",
                               json_object_new_double(1700000000.0 + i));
        json_object_array_add(a, o);
    }
    return a;
}

#define HISTORY(arr) history(arr, sizeof arr / sizeof *arr)
#define ENTERED(name) "{`stateEnteredEventDetails`:{`name`:`" name "`}}"
#define EXITED(name) "{`stateExitedEventDetails`:{`name`:`" name "`}}"

static size_t index_of(const srv_graph *g, const char *name)
{
    for (size_t i = 0; i < srv_graph_state_count(g); i++)
        if (!strcmp(srv_graph_state_name(g, i), name))
            return i;
    fail_msg("no state %s in the graph", name);
    return 0;
}

static const char *status(const srv_graph *g, const char *name)
{
    return srv_graph_status_word(srv_graph_state_status(g, index_of(g, name)));
}

static size_t visits(const srv_graph *g, const char *name)
{
    return srv_graph_state_visits(g, index_of(g, name));
}

/* Statuses of a machine for a history, for one test. */
typedef struct run {
    sl_machine *m;
    srv_graph *g;
} run;

static run replay(const char *def, json_object *h)
{
    run r;
    r.m = compile(def);
    r.g = srv_graph_new(r.m, h);
    json_object_put(h);
    return r;
}

static void run_free(run *r)
{
    srv_graph_free(r->g);
    sl_machine_free(r->m);
}

/* The SVG of g, parsed. */
static xmlDocPtr svg_doc(const srv_graph *g)
{
    bt_buf b;
    bt_buf_init(&b);
    assert_int_equal(srv_graph_svg(g, false, &b), 0);
    xmlDocPtr doc = xmlReadMemory(b.data, (int)b.len, "graph.svg", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR);
    if (!doc)
        fail_msg("the SVG is not well-formed XML:\n%s", b.data);
    bt_buf_fini(&b);
    return doc;
}

/* The string values XPath expr selects, joined with '|' in document
 * order (new). */
static char *xpath(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "s",
                       BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr res = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    if (!res)
        fail_msg("bad XPath %s", expr);
    bt_buf out;
    bt_buf_init(&out);
    bt_buf_puts(&out, "");
    xmlNodeSetPtr set = res->nodesetval;
    if (res->type != XPATH_NODESET) { /* count(), string() ... */
        xmlChar *v = xmlXPathCastToString(res);
        bt_buf_puts(&out, (const char *)v);
        xmlFree(v);
    }
    for (int i = 0; res->type == XPATH_NODESET && set && i < set->nodeNr; i++) {
        xmlChar *v = xmlNodeGetContent(set->nodeTab[i]);
        bt_buf_printf(&out, "%s%s", i ? "|" : "", (const char *)v);
        xmlFree(v);
    }
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    return bt_buf_take(&out);
}

static void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xpath(doc, expr);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  want: %s\n  got:  %s", expr, want, got);
    free(got);
}

/* ---- structure
 * ---------------------------------------------------------------- Fetch (Task)
 * -> Route (Choice): rule 1 -> Fan, rule 2 -> Done, Default -> Broken (Fail).
 * Fetch catches States.ALL -> Broken. Fan (Parallel): branch 1 A -> B (End);
 * branch 2 Each (Map) with processor P (End); Fan -> Done. Done (Succeed). */
static const char FLOW[] =
    "{`StartAt`:`Fetch`,`States`:{"
    "`Fetch`:{`Type`:`Task`,`Resource`:"
    "`arn:aws:lambda:us-east-1:123456789012:function:f`,`Next`:`Route`,"
    "`Catch`:[{`ErrorEquals`:[`States.ALL`],`Next`:`Broken`}]},"
    "`Route`:{`Type`:`Choice`,`Choices`:["
    "{`Variable`:`$.x`,`NumericEquals`:1,`Next`:`Fan`},"
    "{`Variable`:`$.x`,`NumericEquals`:2,`Next`:`Done`}],"
    "`Default`:`Broken`},"
    "`Fan`:{`Type`:`Parallel`,`Next`:`Done`,`Branches`:["
    "{`StartAt`:`A`,`States`:{`A`:{`Type`:`Pass`,`Next`:`B`},"
    "`B`:{`Type`:`Pass`,`End`:true}}},"
    "{`StartAt`:`Each`,`States`:{`Each`:{`Type`:`Map`,`End`:true,"
    "`ItemProcessor`:{`StartAt`:`P`,`States`:{"
    "`P`:{`Type`:`Pass`,`End`:true}}}}}}]},"
    "`Done`:{`Type`:`Succeed`},"
    "`Broken`:{`Type`:`Fail`,`Error`:`E`}}}";

static void test_states_and_nesting(void **state)
{
    (void)state;
    run r = replay(FLOW, NULL);
    assert_int_equal(srv_graph_state_count(r.g), 9);
    xmlDocPtr doc = svg_doc(r.g);
    assert_xpath(doc,
                 "//s:g[contains(concat(' ',@class,' '),' state ')]"
                 "/@data-state",
                 "Fetch|Route|Fan|A|B|Each|P|Done|Broken");
    /* branch states inside the Parallel's box, P inside the Map's */
    assert_xpath(doc, "//s:g[@data-state='Fan']//s:g[@data-state]/@data-state",
                 "A|B|Each|P");
    assert_xpath(doc,
                 "//s:g[@data-state='Fan']/s:g[@class='branch']/@data-branch",
                 "1|2");
    assert_xpath(doc,
                 "//s:g[@data-state='Each']/s:g[@class='processor']"
                 "//s:g[@data-state]/@data-state",
                 "P");
    assert_xpath(doc, "//s:g[@data-state='Route']/@data-type", "Choice");
    assert_xpath(doc, "//s:g[@data-state='Each']/@data-type", "Map");
    xmlFreeDoc(doc);
    run_free(&r);
}

/* Edges of the scope holding `state` as "from>to:kind", sorted. */
static char *edges_of(xmlDocPtr doc, const char *owner)
{
    char expr[256];
    if (owner)
        snprintf(expr, sizeof expr,
                 "//s:g[@data-owner='%s']/s:g[contains(@class,'edge')]", owner);
    else
        snprintf(expr, sizeof expr,
                 "/s:svg/s:g/s:g[@class='scope']/s:g[contains(@class,"
                 "'edge')]");
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "s",
                       BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr res = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    xmlNodeSetPtr set = res->nodesetval;
    size_t n = set ? (size_t)set->nodeNr : 0;
    char **items = calloc(n + 1, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        xmlChar *from = xmlGetProp(set->nodeTab[i], BAD_CAST "data-from");
        xmlChar *to = xmlGetProp(set->nodeTab[i], BAD_CAST "data-to");
        xmlChar *cls = xmlGetProp(set->nodeTab[i], BAD_CAST "class");
        const char *kind = strstr((const char *)cls, "edge-") + 5;
        items[i] = bt_xasprintf(
            "%s>%s:%.*s", from ? (const char *)from : "(start)",
            to ? (const char *)to : "(end)", (int)strcspn(kind, " "), kind);
        xmlFree(from);
        xmlFree(to);
        xmlFree(cls);
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful */
        for (size_t j = i; j > 0 && strcmp(items[j - 1], items[j]) > 0; j--) {
            char *t = items[j];
            items[j] = items[j - 1];
            items[j - 1] = t;
        }
    bt_buf out;
    bt_buf_init(&out);
    bt_buf_puts(&out, "");
    for (size_t i = 0; i < n; i++) {
        bt_buf_printf(&out, "%s%s", i ? " " : "", items[i]);
        free(items[i]);
    }
    free(items);
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    return bt_buf_take(&out);
}

static void assert_edges(xmlDocPtr doc, const char *owner, const char *want)
{
    char *got = edges_of(doc, owner);
    if (strcmp(got, want) != 0)
        fail_msg("edges in %s\n  want: %s\n  got:  %s", owner ? owner : "top",
                 want, got);
    free(got);
}

static void test_edges_follow_transitions(void **state)
{
    (void)state;
    run r = replay(FLOW, NULL);
    xmlDocPtr doc = svg_doc(r.g);
    assert_edges(doc, NULL,
                 "(start)>Fetch:start Broken>(end):end Done>(end):end "
                 "Fan>Done:next Fetch>Broken:catch Fetch>Route:next "
                 "Route>Broken:default Route>Done:choice Route>Fan:choice");
    assert_edges(doc, "Fan",
                 "(start)>A:start (start)>Each:start A>B:next "
                 "B>(end):end Each>(end):end");
    assert_edges(doc, "Each", "(start)>P:start P>(end):end");
    /* Catch is dashed, the rest solid */
    assert_xpath(doc,
                 "count(//s:g[contains(@class,'edge-catch')]/s:path"
                 "[@stroke-dasharray])",
                 "1");
    assert_xpath(doc,
                 "count(//s:path[@stroke-dasharray and "
                 "not(ancestor::s:g[contains(@class,'edge-catch')])"
                 " and ancestor::s:g[contains(@class,'edge')]])",
                 "0");
    assert_xpath(doc, "//s:g[contains(@class,'edge-catch')]/s:title",
                 "Fetch \xE2\x86\x92 Broken (Catch[0]: States.ALL)");
    xmlFreeDoc(doc);
    run_free(&r);
}

static void test_loops_are_drawn_back_up(void **state)
{
    (void)state;
    run r = replay("{`StartAt`:`Poll`,`States`:{"
                   "`Poll`:{`Type`:`Wait`,`Seconds`:1,`Next`:`Ready`},"
                   "`Ready`:{`Type`:`Choice`,`Choices`:[{`Variable`:`$.ok`,"
                   "`BooleanEquals`:true,`Next`:`Go`}],`Default`:`Poll`},"
                   "`Go`:{`Type`:`Pass`,`End`:true}}}",
                   NULL);
    xmlDocPtr doc = svg_doc(r.g);
    assert_edges(doc, NULL,
                 "(start)>Poll:start Go>(end):end Poll>Ready:next "
                 "Ready>Go:choice Ready>Poll:default");
    assert_xpath(doc, "//s:g[contains(@class,' loop')]/@data-to", "Poll");
    xmlFreeDoc(doc);
    run_free(&r);
}

static void test_no_history_means_not_started(void **state)
{
    (void)state;
    run r = replay(FLOW, NULL);
    for (size_t i = 0; i < srv_graph_state_count(r.g); i++) {
        assert_int_equal(srv_graph_state_status(r.g, i), SRV_GRAPH_NOT_STARTED);
        assert_int_equal(srv_graph_state_visits(r.g, i), 0);
    }
    xmlDocPtr doc = svg_doc(r.g);
    assert_xpath(doc,
                 "count(//s:g[contains(@class,'status-not-started')]"
                 "[@data-state])",
                 "9");
    assert_xpath(doc, "//s:g[@data-state='Fetch']/s:rect/@fill", "#f4f4f5");
    /* a legend names every status */
    assert_xpath(doc, "//s:g[@class='legend']//s:text",
                 "not started|running|succeeded|caught|failed|aborted");
    xmlFreeDoc(doc);
    run_free(&r);
}

/* ---- statuses ---------------------------------------------------------------
 */

static const char LINEAR[] =
    "{`StartAt`:`One`,`States`:{`One`:{`Type`:`Pass`,`Next`:`Two`},"
    "`Two`:{`Type`:`Task`,`Resource`:"
    "`arn:aws:lambda:us-east-1:123456789012:function:f`,`Next`:`Three`,"
    "`Retry`:[{`ErrorEquals`:[`States.ALL`]}],"
    "`Catch`:[{`ErrorEquals`:[`States.ALL`],`Next`:`Handler`}]},"
    "`Three`:{`Type`:`Pass`,`End`:true},"
    "`Handler`:{`Type`:`Pass`,`End`:true}}}";

/* §11.3 Pass, then a legacy Lambda task scheduled and started: the
 * execution is still running. */
static void test_running_task(void **state)
{
    (void)state;
    ev h[] = {{"ExecutionStarted", 1, 0, NULL},
              {"PassStateEntered", 2, 0, ENTERED("One")},
              {"PassStateExited", 3, 2, EXITED("One")},
              {"TaskStateEntered", 4, 3, ENTERED("Two")},
              {"LambdaFunctionScheduled", 5, 4, NULL},
              {"LambdaFunctionStarted", 6, 5, NULL}};
    run r = replay(LINEAR, HISTORY(h));
    assert_string_equal(status(r.g, "One"), "succeeded");
    assert_string_equal(status(r.g, "Two"), "running");
    assert_string_equal(status(r.g, "Three"), "not-started");
    assert_string_equal(status(r.g, "Handler"), "not-started");
    xmlDocPtr doc = svg_doc(r.g);
    assert_xpath(doc, "//s:g[@data-state='Two']/@class",
                 "state status-running");
    assert_xpath(doc, "//s:g[@data-state='Two']/s:rect/@fill", "#dbeafe");
    assert_xpath(doc, "//s:g[@data-state='One']/s:rect/@fill", "#dcfce7");
    assert_xpath(doc, "//s:g[@data-state='Two']/s:title",
                 "Two (Task): running, entered 1 time");
    xmlFreeDoc(doc);
    run_free(&r);
}

/* A failed attempt, then the retry succeeds: the Task is back to running
 * while it retries and ends succeeded. */
static void test_retry_then_success(void **state)
{
    (void)state;
    ev h[] = {{"ExecutionStarted", 1, 0, NULL},
              {"PassStateEntered", 2, 0, ENTERED("One")},
              {"PassStateExited", 3, 2, EXITED("One")},
              {"TaskStateEntered", 4, 3, ENTERED("Two")},
              {"LambdaFunctionScheduled", 5, 4, NULL},
              {"LambdaFunctionStarted", 6, 5, NULL},
              {"LambdaFunctionFailed", 7, 6, NULL},
              {"LambdaFunctionScheduled", 8, 7, NULL},
              {"LambdaFunctionStarted", 9, 8, NULL}};
    run r = replay(LINEAR, HISTORY(h));
    assert_string_equal(status(r.g, "Two"), "running");
    run_free(&r);
    ev done[] = {{"ExecutionStarted", 1, 0, NULL},
                 {"TaskStateEntered", 2, 0, ENTERED("Two")},
                 {"LambdaFunctionScheduled", 3, 2, NULL},
                 {"LambdaFunctionStarted", 4, 3, NULL},
                 {"LambdaFunctionFailed", 5, 4, NULL},
                 {"LambdaFunctionScheduled", 6, 5, NULL},
                 {"LambdaFunctionStarted", 7, 6, NULL},
                 {"LambdaFunctionSucceeded", 8, 7, NULL},
                 {"TaskStateExited", 9, 8, EXITED("Two")},
                 {"PassStateEntered", 10, 9, ENTERED("Three")},
                 {"PassStateExited", 11, 10, EXITED("Three")},
                 {"ExecutionSucceeded", 12, 11, NULL}};
    r = replay(LINEAR, HISTORY(done));
    assert_string_equal(status(r.g, "Two"), "succeeded");
    assert_string_equal(status(r.g, "Three"), "succeeded");
    assert_string_equal(status(r.g, "Handler"), "not-started");
    run_free(&r);
}

/* §11.3 "failure, caught" and "failure, uncaught". */
static void test_caught_and_uncaught(void **state)
{
    (void)state;
    ev caught[] = {{"ExecutionStarted", 1, 0, NULL},
                   {"TaskStateEntered", 2, 0, ENTERED("Two")},
                   {"LambdaFunctionScheduled", 3, 2, NULL},
                   {"LambdaFunctionStarted", 4, 3, NULL},
                   {"LambdaFunctionFailed", 5, 4, NULL},
                   {"TaskStateExited", 6, 5, EXITED("Two")},
                   {"PassStateEntered", 7, 6, ENTERED("Handler")},
                   {"PassStateExited", 8, 7, EXITED("Handler")},
                   {"ExecutionSucceeded", 9, 8, NULL}};
    run r = replay(LINEAR, HISTORY(caught));
    assert_string_equal(status(r.g, "Two"), "caught");
    assert_string_equal(status(r.g, "Handler"), "succeeded");
    xmlDocPtr doc = svg_doc(r.g);
    assert_xpath(doc, "//s:g[@data-state='Two']/s:rect/@fill", "#ffedd5");
    xmlFreeDoc(doc);
    run_free(&r);
    ev uncaught[] = {{"ExecutionStarted", 1, 0, NULL},
                     {"TaskStateEntered", 2, 0, ENTERED("Two")},
                     {"TaskScheduled", 3, 2, NULL},
                     {"TaskStarted", 4, 3, NULL},
                     {"TaskFailed", 5, 4, NULL},
                     {"ExecutionFailed", 6, 5, NULL}};
    r = replay(LINEAR, HISTORY(uncaught));
    assert_string_equal(status(r.g, "Two"), "failed");
    assert_string_equal(status(r.g, "Handler"), "not-started");
    doc = svg_doc(r.g);
    assert_xpath(doc, "//s:g[@data-state='Two']/s:rect/@fill", "#fee2e2");
    xmlFreeDoc(doc);
    run_free(&r);
}

/* §11.3: a runtime failure in a Pass (ExecutionFailed right after the
 * state's entry) and a stop while waiting (ExecutionAborted, prev 0). */
static void test_runtime_failure_and_stop(void **state)
{
    (void)state;
    ev runtime[] = {{"ExecutionStarted", 1, 0, NULL},
                    {"PassStateEntered", 2, 0, ENTERED("One")},
                    {"ExecutionFailed", 3, 2, NULL}};
    run r = replay(LINEAR, HISTORY(runtime));
    assert_string_equal(status(r.g, "One"), "failed");
    run_free(&r);
    ev stopped[] = {{"ExecutionStarted", 1, 0, NULL},
                    {"PassStateEntered", 2, 0, ENTERED("One")},
                    {"PassStateExited", 3, 2, EXITED("One")},
                    {"TaskStateEntered", 4, 3, ENTERED("Two")},
                    {"ExecutionAborted", 5, 0, NULL}};
    r = replay(LINEAR, HISTORY(stopped));
    assert_string_equal(status(r.g, "One"), "succeeded");
    assert_string_equal(status(r.g, "Two"), "aborted");
    run_free(&r);
}

static const char PARALLEL[] =
    "{`StartAt`:`Par`,`States`:{`Par`:{`Type`:`Parallel`,`Next`:`After`,"
    "`Catch`:[{`ErrorEquals`:[`States.ALL`],`Next`:`Recover`}],"
    "`Branches`:[{`StartAt`:`Slow`,`States`:{"
    "`Slow`:{`Type`:`Wait`,`Seconds`:60,`End`:true}}},"
    "{`StartAt`:`Quick`,`States`:{`Quick`:{`Type`:`Pass`,`Next`:`Bad`},"
    "`Bad`:{`Type`:`Fail`,`Error`:`Oops`}}}]},"
    "`After`:{`Type`:`Pass`,`End`:true},"
    "`Recover`:{`Type`:`Pass`,`End`:true}}}";

/* §8.1 failure, caught: a branch fails, the sibling's Wait is aborted,
 * ParallelStateFailed, the catcher's exit and the Catch target. */
static void test_parallel_branch_fails_caught(void **state)
{
    (void)state;
    ev h[] = {{"ExecutionStarted", 1, 0, NULL},
              {"ParallelStateEntered", 2, 0, ENTERED("Par")},
              {"ParallelStateStarted", 3, 2, NULL},
              {"WaitStateEntered", 4, 3, ENTERED("Slow")},
              {"PassStateEntered", 5, 3, ENTERED("Quick")},
              {"PassStateExited", 6, 5, EXITED("Quick")},
              {"FailStateEntered", 7, 6, ENTERED("Bad")},
              {"WaitStateAborted", 8, 7, NULL},
              {"ParallelStateFailed", 9, 7, NULL},
              {"ParallelStateExited", 10, 9, EXITED("Par")},
              {"PassStateEntered", 11, 10, ENTERED("Recover")},
              {"PassStateExited", 12, 11, EXITED("Recover")},
              {"ExecutionSucceeded", 13, 12, NULL}};
    run r = replay(PARALLEL, HISTORY(h));
    assert_string_equal(status(r.g, "Par"), "caught");
    assert_string_equal(status(r.g, "Slow"), "aborted");
    assert_string_equal(status(r.g, "Quick"), "succeeded");
    assert_string_equal(status(r.g, "Bad"), "failed");
    assert_string_equal(status(r.g, "Recover"), "succeeded");
    assert_string_equal(status(r.g, "After"), "not-started");
    run_free(&r);
}

/* The same without ParallelStateFailed (a history that only shows the
 * failed branch and the Catch target) still reads as caught; with
 * ParallelStateSucceeded and the Next target it is succeeded. */
static void test_parallel_caught_by_its_target(void **state)
{
    (void)state;
    ev h[] = {{"ExecutionStarted", 1, 0, NULL},
              {"ParallelStateEntered", 2, 0, ENTERED("Par")},
              {"ParallelStateStarted", 3, 2, NULL},
              {"PassStateEntered", 4, 3, ENTERED("Quick")},
              {"PassStateExited", 5, 4, EXITED("Quick")},
              {"FailStateEntered", 6, 5, ENTERED("Bad")},
              {"ParallelStateExited", 7, 6, EXITED("Par")},
              {"PassStateEntered", 8, 7, ENTERED("Recover")}};
    run r = replay(PARALLEL, HISTORY(h));
    assert_string_equal(status(r.g, "Par"), "caught");
    assert_string_equal(status(r.g, "Recover"), "running");
    run_free(&r);
    /* read right after the exit: the failed branch tells */
    r = replay(PARALLEL, history(h, 7));
    assert_string_equal(status(r.g, "Par"), "caught");
    assert_string_equal(status(r.g, "Bad"), "failed");
    assert_string_equal(status(r.g, "Recover"), "not-started");
    run_free(&r);
    ev ok[] = {{"ExecutionStarted", 1, 0, NULL},
               {"ParallelStateEntered", 2, 0, ENTERED("Par")},
               {"ParallelStateStarted", 3, 2, NULL},
               {"WaitStateEntered", 4, 3, ENTERED("Slow")},
               {"WaitStateExited", 5, 4, EXITED("Slow")},
               {"ParallelStateSucceeded", 6, 5, NULL},
               {"ParallelStateExited", 7, 5, EXITED("Par")},
               {"PassStateEntered", 8, 7, ENTERED("After")}};
    r = replay(PARALLEL, HISTORY(ok));
    assert_string_equal(status(r.g, "Par"), "succeeded");
    assert_string_equal(status(r.g, "Slow"), "succeeded");
    assert_string_equal(status(r.g, "Quick"), "not-started");
    assert_string_equal(status(r.g, "After"), "running");
    run_free(&r);
}

static const char MAP[] =
    "{`StartAt`:`Each`,`States`:{`Each`:{`Type`:`Map`,`End`:true,"
    "`ItemProcessor`:{`StartAt`:`Work`,`States`:{`Work`:{`Type`:`Task`,"
    "`Resource`:`arn:aws:lambda:us-east-1:123456789012:function:f`,"
    "`End`:true}}}}}}";

/* §8.3/§11.4, concurrent: two iterations visit Work at once. The visit
 * entered first exits normally while the one entered second fails;
 * previousEventId keeps the two apart, so the exit is not taken for the
 * failing visit's (which would make its failure look caught). */
static void test_map_iterations_kept_apart(void **state)
{
    (void)state;
    ev h[] = {{"ExecutionStarted", 1, 0, NULL},
              {"MapStateEntered", 2, 0, ENTERED("Each")},
              {"MapStateStarted", 3, 2, NULL},
              {"MapIterationStarted", 4, 3, NULL},
              {"MapIterationStarted", 5, 3, NULL},
              {"TaskStateEntered", 6, 4, ENTERED("Work")},
              {"TaskStateEntered", 7, 5, ENTERED("Work")},
              {"LambdaFunctionScheduled", 8, 6, NULL},
              {"LambdaFunctionScheduled", 9, 7, NULL},
              {"LambdaFunctionSucceeded", 10, 8, NULL},
              {"TaskStateExited", 11, 10, EXITED("Work")},
              {"MapIterationSucceeded", 12, 11, NULL},
              {"LambdaFunctionFailed", 13, 9, NULL},
              {"MapIterationFailed", 14, 13, NULL},
              {"MapStateFailed", 15, 13, NULL},
              {"ExecutionFailed", 16, 15, NULL}};
    run r = replay(MAP, HISTORY(h));
    assert_string_equal(status(r.g, "Work"), "failed");
    assert_int_equal(visits(r.g, "Work"), 2);
    assert_string_equal(status(r.g, "Each"), "failed");
    xmlDocPtr doc = svg_doc(r.g);
    assert_xpath(doc, "//s:g[@data-state='Work']/@data-visits", "2");
    xmlFreeDoc(doc);
    run_free(&r);
    /* the same run while the second visit still works: running wins */
    ev mid[] = {{"ExecutionStarted", 1, 0, NULL},
                {"MapStateEntered", 2, 0, ENTERED("Each")},
                {"MapStateStarted", 3, 2, NULL},
                {"MapIterationStarted", 4, 3, NULL},
                {"MapIterationStarted", 5, 3, NULL},
                {"TaskStateEntered", 6, 4, ENTERED("Work")},
                {"TaskStateEntered", 7, 5, ENTERED("Work")},
                {"LambdaFunctionScheduled", 8, 6, NULL},
                {"LambdaFunctionScheduled", 9, 7, NULL},
                {"LambdaFunctionSucceeded", 10, 8, NULL},
                {"TaskStateExited", 11, 10, EXITED("Work")},
                {"MapIterationSucceeded", 12, 11, NULL}};
    r = replay(MAP, HISTORY(mid));
    assert_string_equal(status(r.g, "Work"), "running");
    assert_string_equal(status(r.g, "Each"), "running");
    run_free(&r);
}

/* A loop visits states several times; the graph counts the visits. */
static void test_loop_visits(void **state)
{
    (void)state;
    const char *def = "{`StartAt`:`Poll`,`States`:{"
                      "`Poll`:{`Type`:`Wait`,`Seconds`:1,`Next`:`Ready`},"
                      "`Ready`:{`Type`:`Choice`,`Choices`:[{`Variable`:`$.ok`,"
                      "`BooleanEquals`:true,`Next`:`Go`}],`Default`:`Poll`},"
                      "`Go`:{`Type`:`Pass`,`End`:true}}}";
    ev h[] = {{"ExecutionStarted", 1, 0, NULL},
              {"WaitStateEntered", 2, 0, ENTERED("Poll")},
              {"WaitStateExited", 3, 2, EXITED("Poll")},
              {"ChoiceStateEntered", 4, 3, ENTERED("Ready")},
              {"ChoiceStateExited", 5, 4, EXITED("Ready")},
              {"WaitStateEntered", 6, 5, ENTERED("Poll")},
              {"WaitStateExited", 7, 6, EXITED("Poll")},
              {"ChoiceStateEntered", 8, 7, ENTERED("Ready")},
              {"ChoiceStateExited", 9, 8, EXITED("Ready")},
              {"WaitStateEntered", 10, 9, ENTERED("Poll")}};
    run r = replay(def, HISTORY(h));
    assert_string_equal(status(r.g, "Poll"), "running");
    assert_int_equal(visits(r.g, "Poll"), 3);
    assert_string_equal(status(r.g, "Ready"), "succeeded");
    assert_int_equal(visits(r.g, "Ready"), 2);
    assert_string_equal(status(r.g, "Go"), "not-started");
    run_free(&r);
}

static void test_unknown_state_is_reported(void **state)
{
    (void)state;
    ev h[] = {{"ExecutionStarted", 1, 0, NULL},
              {"PassStateEntered", 2, 0, ENTERED("Elsewhere")},
              {"PassStateExited", 3, 2, EXITED("Elsewhere")}};
    run r = replay(LINEAR, HISTORY(h));
    assert_string_equal(srv_graph_unknown_state(r.g), "Elsewhere");
    assert_string_equal(status(r.g, "One"), "not-started");
    run_free(&r);
    r = replay(LINEAR, NULL);
    assert_null(srv_graph_unknown_state(r.g));
    run_free(&r);
}

/* Whatever the history holds, nothing breaks: events that are not
 * objects, lack a type or an id, point forward or at nothing, repeat ids,
 * or exit states never entered are skipped or attributed to nothing. */
static void test_malformed_history_is_tolerated(void **state)
{
    (void)state;
    json_object *h =
        J("[1,null,`x`,{},{`type`:7},"
          "{`type`:`ExecutionStarted`,`id`:1,"
          "`previousEventId`:0},"
          "{`type`:`TaskStateExited`,`id`:2,`previousEventId`:9,"
          "`stateExitedEventDetails`:{`name`:`Two`}},"
          "{`type`:`PassStateEntered`,`id`:3,`previousEventId`:3,"
          "`stateEnteredEventDetails`:{`name`:`One`}},"
          "{`type`:`PassStateEntered`,`id`:3,`previousEventId`:0,"
          "`stateEnteredEventDetails`:{`name`:`Three`}},"
          "{`type`:`PassStateExited`,`id`:4,`previousEventId`:3,"
          "`stateExitedEventDetails`:{}},"
          "{`type`:`MapStateSucceeded`,`id`:5,`previousEventId`:4},"
          "{`type`:`ParallelStateAborted`,`id`:6},"
          "{`type`:`EvaluationFailed`,`id`:7,`previousEventId`:3,"
          "`evaluationFailedEventDetails`:{`state`:`Nowhere`}},"
          "{`type`:`TaskFailed`,`id`:8,`previousEventId`:-5}]");
    run r = replay(LINEAR, h);
    /* "One" was entered (event 3) and never left: still running */
    assert_string_equal(status(r.g, "One"), "running");
    assert_string_equal(status(r.g, "Two"), "not-started");
    assert_string_equal(status(r.g, "Three"), "not-started");
    assert_string_equal(srv_graph_unknown_state(r.g), "Nowhere");
    xmlDocPtr doc = svg_doc(r.g);
    xmlFreeDoc(doc);
    run_free(&r);
    /* a history that is not an array is no history */
    r = replay(LINEAR, J("{`events`:[]}"));
    assert_string_equal(status(r.g, "One"), "not-started");
    run_free(&r);
}

/* Names with markup characters and an error name with a control
 * character still give well-formed XML; the same input gives the same
 * bytes. */
static void test_escaping_and_determinism(void **state)
{
    (void)state;
    run r = replay("{`StartAt`:`a<b & \\`c\\``,`States`:{"
                   "`a<b & \\`c\\``:{`Type`:`Task`,`Next`:`z`,`Resource`:"
                   "`arn:aws:lambda:us-east-1:123456789012:function:f`,"
                   "`Catch`:[{`ErrorEquals`:[`E\\u0001`],`Next`:`z`}]},"
                   "`z`:{`Type`:`Succeed`}}}",
                   NULL);
    xmlDocPtr doc = svg_doc(r.g);
    assert_xpath(doc, "//s:g[@data-type='Task']/@data-state", "a<b & \"c\"");
    assert_xpath(doc, "//s:g[contains(@class,'edge-catch')]/s:text",
                 "E\xEF\xBF\xBD");
    xmlFreeDoc(doc);
    bt_buf a, b;
    bt_buf_init(&a);
    bt_buf_init(&b);
    assert_int_equal(srv_graph_svg(r.g, false, &a), 0);
    assert_int_equal(srv_graph_svg(r.g, false, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_true(!strncmp(a.data, "<?xml", 5));
    bt_buf_reset(&b);
    assert_int_equal(srv_graph_svg(r.g, true, &b), 0);
    assert_true(!strncmp(b.data, "<svg", 4));
    bt_buf_fini(&a);
    bt_buf_fini(&b);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states_and_nesting),
        cmocka_unit_test(test_edges_follow_transitions),
        cmocka_unit_test(test_loops_are_drawn_back_up),
        cmocka_unit_test(test_no_history_means_not_started),
        cmocka_unit_test(test_running_task),
        cmocka_unit_test(test_retry_then_success),
        cmocka_unit_test(test_caught_and_uncaught),
        cmocka_unit_test(test_runtime_failure_and_stop),
        cmocka_unit_test(test_parallel_branch_fails_caught),
        cmocka_unit_test(test_parallel_caught_by_its_target),
        cmocka_unit_test(test_map_iterations_kept_apart),
        cmocka_unit_test(test_loop_visits),
        cmocka_unit_test(test_unknown_state_is_reported),
        cmocka_unit_test(test_malformed_history_is_tolerated),
        cmocka_unit_test(test_escaping_and_determinism),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
