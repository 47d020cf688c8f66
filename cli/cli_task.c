/*
 * `baton task success|failure|heartbeat TOKEN`: answers a task token from
 * the command line. Tokens live in the engine of a running `baton serve`,
 * so this is a small client of its AWS API (SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat) over libcurl.
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static const char usage[] =
    "usage: baton task success TOKEN [--output JSON] [--endpoint URL]\n"
    "       baton task failure TOKEN [--error E] [--cause C] "
    "[--endpoint URL]\n"
    "       baton task heartbeat TOKEN [--endpoint URL]\n"
    "\n"
    "Reports the outcome of a task waiting for its token (a\n"
    ".waitForTaskToken callback or an activity task) to a running\n"
    "`baton serve`.\n"
    "\n"
    "  --output JSON    the task's result (default {})\n"
    "  --error E        error name for Retry/Catch (failure)\n"
    "  --cause C        error cause (failure)\n"
    "  --endpoint URL   the server (default http://127.0.0.1:8083)\n"
    "\n"
    "Exit status: 0 accepted, 1 refused by the server (the token is\n"
    "invalid or its task has ended), 2 usage or connection problems.\n";

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
    bt_buf_append(ud, data, size * n);
    return size * n;
}

/* POSTs body to the endpoint as action; prints what the server says. */
static int send_action(const char *endpoint, const char *action,
                       json_object *body)
{
    CURL *curl = curl_easy_init();
    if (!curl) {
        cli_error("task: cannot start an HTTP client");
        return CLI_EXIT_USAGE;
    }
    char target[96];
    snprintf(target, sizeof target, "X-Amz-Target: AWSStepFunctions.%s",
             action);
    struct curl_slist *h =
        curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.0");
    h = curl_slist_append(h, target);
    bt_buf resp;
    bt_buf_init(&resp);
    const char *text = bt_json_compact(body);
    curl_easy_setopt(curl, CURLOPT_URL, endpoint);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    int exit_code = CLI_EXIT_OK;
    if (rc != CURLE_OK) {
        cli_error("task: %s: %s", endpoint, curl_easy_strerror(rc));
        exit_code = CLI_EXIT_USAGE;
    } else if (status != 200) {
        json_object *o = NULL, *t = NULL, *m = NULL;
        bt_json_parse(resp.data ? resp.data : "", resp.len, BT_LIMIT_JSON_DEPTH,
                      &o, NULL);
        json_object_object_get_ex(o, "__type", &t);
        json_object_object_get_ex(o, "message", &m);
        cli_error("task: %s refused (%ld %s): %s", action, status,
                  t ? json_object_get_string(t) : "?",
                  m ? json_object_get_string(m) : "");
        json_object_put(o);
        exit_code = CLI_EXIT_FAILED;
    }
    bt_buf_fini(&resp);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    return exit_code;
}

int cli_task_main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 3) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *verb = argv[1], *token = argv[2];
    const char *output = NULL, *error = NULL, *cause = NULL;
    const char *endpoint = "http://127.0.0.1:8083";
    bool success = !strcmp(verb, "success"), failure = !strcmp(verb, "failure");
    if (!success && !failure && strcmp(verb, "heartbeat") != 0) {
        cli_error("task: unknown action '%s' (success, failure, heartbeat)",
                  verb);
        return CLI_EXIT_USAGE;
    }
    for (int i = 3; i < argc; i++) {
        bool more = i + 1 < argc;
        if (!strcmp(argv[i], "--endpoint") && more)
            endpoint = argv[++i];
        else if (success && !strcmp(argv[i], "--output") && more)
            output = argv[++i];
        else if (failure && !strcmp(argv[i], "--error") && more)
            error = argv[++i];
        else if (failure && !strcmp(argv[i], "--cause") && more)
            cause = argv[++i];
        else {
            cli_error("task %s: unknown or incomplete option '%s'", verb,
                      argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "taskToken", json_object_new_string(token));
    if (success) {
        /* Checked here so that a typo gets a local, precise message. */
        json_object *v = NULL;
        bt_json_error jerr;
        const char *out = output ? output : "{}";
        if (bt_json_parse(out, strlen(out), BT_LIMIT_JSON_DEPTH, &v, &jerr)) {
            cli_error("task success: --output is not JSON: %s at line %d, "
                      "column %d",
                      jerr.message, jerr.line, jerr.column);
            json_object_put(body);
            return CLI_EXIT_USAGE;
        }
        json_object_put(v);
        json_object_object_add(body, "output", json_object_new_string(out));
    }
    if (error)
        json_object_object_add(body, "error", json_object_new_string(error));
    if (cause)
        json_object_object_add(body, "cause", json_object_new_string(cause));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = send_action(endpoint,
                         success   ? "SendTaskSuccess"
                         : failure ? "SendTaskFailure"
                                   : "SendTaskHeartbeat",
                         body);
    curl_global_cleanup();
    json_object_put(body);
    return rc;
}
