/*
 * server internals: the request record shared by the HTTP thread and the
 * loop, the AWS error table, and the per-action call context.
 *
 * Request lifecycle (srv_req.phase):
 *   READING  the HTTP thread collects the body (only it touches the record)
 *   POSTED   the record belongs to the loop, which parses it, runs the
 *            action and writes status/body/error type
 *   READY    the loop released the response (atomic store) and resumed the
 *            connection; the HTTP thread sends it and frees the record
 */
#ifndef BATON_SRV_INT_H
#define BATON_SRV_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "server/server.h"
#include "server/srv_door.h"

/* Error codes (AWS's), the HTTP status the AWS API answers with, the one
 * the REST front (/v1) answers with, and the message prefix by which an
 * engine message (AWS's own text) is recognised. */
#define SRV_ERRORS(X)                                                          \
    X(SRV_INVALID_ARN, "InvalidArn", 400, 400, "Invalid Arn: ")                \
    X(SRV_MACHINE_MISSING, "StateMachineDoesNotExist", 400, 404,               \
      "State Machine Does Not Exist: ")                                        \
    X(SRV_EXEC_MISSING, "ExecutionDoesNotExist", 400, 404,                     \
      "Execution Does Not Exist: ")                                            \
    X(SRV_MACHINE_EXISTS, "StateMachineAlreadyExists", 400, 409,               \
      "State Machine Already Exists: ")                                        \
    X(SRV_EXEC_EXISTS, "ExecutionAlreadyExists", 400, 409,                     \
      "Execution Already Exists: ")                                            \
    X(SRV_INVALID_DEFINITION, "InvalidDefinition", 400, 400,                   \
      "Invalid State Machine Definition: ")                                    \
    X(SRV_INVALID_NAME, "InvalidName", 400, 400, "Invalid Name: ")             \
    X(SRV_INVALID_INPUT, "InvalidExecutionInput", 400, 400,                    \
      "Invalid State Machine Execution Input: ")                               \
    X(SRV_INVALID_TOKEN, "InvalidToken", 400, 400, "Invalid Token: ")          \
    X(SRV_INVALID_OUTPUT, "InvalidOutput", 400, 400, "Invalid Output: ")       \
    X(SRV_TASK_TIMED_OUT, "TaskTimedOut", 400, 400, "Task Timed Out: ")        \
    X(SRV_ACTIVITY_MISSING, "ActivityDoesNotExist", 400, 404,                  \
      "Activity Does Not Exist: ")                                             \
    X(SRV_WORKER_LIMIT, "ActivityWorkerLimitExceeded", 400, 400,               \
      "Activity Worker Limit Exceeded: ")                                      \
    X(SRV_RESOURCE_NOT_FOUND, "ResourceNotFound", 400, 404,                    \
      "Resource not found: ")                                                  \
    X(SRV_TOO_MANY_TAGS, "TooManyTags", 400, 400, "Too many tags: ")           \
    X(SRV_TYPE_NOT_SUPPORTED, "StateMachineTypeNotSupported", 400, 400,        \
      "This operation is not supported by this type of state machine")         \
    X(SRV_MISSING_PARAMETER, "MissingRequiredParameter", 400, 400, NULL)       \
    X(SRV_VALIDATION, "ValidationException", 400, 400, NULL)                   \
    X(SRV_SERIALIZATION, "SerializationException", 400, 400, NULL)             \
    X(SRV_UNKNOWN_OPERATION, "UnknownOperationException", 400, 404, NULL)      \
    X(SRV_BAD_METHOD, "UnknownOperationException", 400, 405, NULL)             \
    X(SRV_TOO_LARGE, "RequestEntityTooLargeException", 413, 413, NULL)         \
    X(SRV_INTERNAL, "InternalFailure", 500, 500, NULL)                         \
    X(SRV_UNAVAILABLE, "ServiceUnavailable", 503, 503, NULL)

typedef enum srv_error {
    SRV_OK = 0,
#define SRV_ERR_ENUM(id, code, status, rest_status, prefix) id,
    SRV_ERRORS(SRV_ERR_ENUM)
#undef SRV_ERR_ENUM
} srv_error;

const char *srv__error_code(srv_error e);
int srv__error_status(srv_error e);
/* The status the REST front answers e with. */
int srv__error_rest_status(srv_error e);
/* The error whose message prefix starts msg; SRV_INTERNAL when none. */
srv_error srv__error_of_message(const char *msg);

enum { REQ_READING, REQ_POSTED, REQ_READY };

/* Which front a request goes to (chosen on the HTTP thread from the
 * method and path; the loop dispatches on it). */
typedef enum srv_route {
    ROUTE_AWS,     /* POST / with X-Amz-Target: the AWS JSON 1.0 API */
    ROUTE_REST,    /* /v1 and /v1/...: the plain REST front (srv_rest.c) */
    ROUTE_CONSOLE, /* /console/..., and GET / from a browser (Accept:
                      text/html): the web console (srv_console.c) */
    ROUTE_METRICS, /* GET /metrics: the engine's counters */
    ROUTE_LAMBDA,  /* POST /2015-03-31/functions/{name}/invocations: the
                      Lambda Invoke API (srv_lambda.c) */
} srv_route;

/* A request header or query argument, copied on the HTTP thread. */
typedef struct srv_kv {
    char *key;
    char *value;
} srv_kv;

typedef struct srv_req {
    srv *s;
    struct MHD_Connection *conn;
    char method[8];
    char *path;
    char *target;          /* X-Amz-Target, or NULL */
    char *auth;            /* Authorization, or NULL */
    char *accept;          /* Accept, or NULL */
    char *invocation_type; /* X-Amz-Invocation-Type, or NULL */
    srv_kv *args;          /* query arguments, in order */
    size_t nargs;
    srv_route route;
    bt_buf body;
    bool too_large;
    bool posted; /* counted in srv.outstanding */
    int64_t start_us;
    char request_id[37];
    /* the response, written before phase becomes READY */
    int status;
    char *resp; /* malloc'd; libmicrohttpd frees it */
    size_t resp_len;
    const char *ctype;          /* static; NULL: application/x-amz-json-1.0 */
    char allow[40];             /* an Allow header (405), or "" */
    const char *err_type;       /* static, or NULL on success */
    const char *function_error; /* X-Amz-Function-Error (static), or NULL */
    bool lambda;                /* add X-Amz-Executed-Version: $LATEST */
    const char *action;         /* static, for the log line */
    atomic_int phase;
} srv_req;

struct srv {
    eng *e;
    struct MHD_Daemon *d;
    uint16_t port;
    bool quiet;
    srv_door door;   /* requests to the loop (srv_door.h) */
    uint64_t seed;   /* request ids, pagination tokens */
    int64_t poll_ms; /* GetActivityTask's long poll */
    atomic_ullong seq;
};

/* The Lambda Invoke API on the loop (srv_lambda.c). */
void srv__lambda(srv_req *r);

/* The loop's side of one request (posted with eng_post). */
void srv__handle(void *req);
/* Stores a response on r and hands it back to the HTTP thread; r must not
 * be touched afterwards. body is borrowed. */
void srv__reply(srv_req *r, int status, srv_error err, const char *body,
                size_t len);
/* The same with a content type (static string) other than AWS's. */
void srv__reply_as(srv_req *r, int status, const char *ctype, const char *body,
                   size_t len);
/* The value of query argument key, or NULL. */
const char *srv__arg(const srv_req *r, const char *key);

/* One action call on the loop. */
typedef struct srv_call {
    srv *s;
    eng *e;
    srv_req *r;
    json_object *in; /* the request object (borrowed) */
    json_object *out;
    srv_error err;
    char *msg;     /* new; NULL: no message member */
    bool deferred; /* the action answers later (StartSyncExecution) */
} srv_call;

/* A call answering request r later, from an engine callback (the request
 * is the callback's argument: r->s leads to the server and engine). */
srv_call srv__later(srv_req *r);

/* Sets the call's error (msg printf-style; NULL for none). Returns false
 * so handlers can `return srv__fail(...)` from bool helpers. */
bool srv__fail(srv_call *c, srv_error err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Finishes c: its out object or its error, serialised and replied. */
void srv__finish(srv_call *c);

/* A required member is absent or null (AWS's "Member must not be null"
 * message); returns false. where names it ("tags.1.member.key"). */
bool srv__missing(srv_call *c, const char *where);
/* Request members. Each returns false after setting the error when the
 * member has the wrong JSON type or breaks a constraint. */
bool srv__str(srv_call *c, const char *member, bool required, size_t max,
              bool sensitive, const char **out);
bool srv__int(srv_call *c, const char *member, int64_t min, int64_t max,
              int64_t *out);
bool srv__bool(srv_call *c, const char *member, bool *out);
/* values is NULL-terminated; *out stays NULL when the member is absent. */
bool srv__enum(srv_call *c, const char *member, const char *const *values,
               const char **out);
/* The TYPE field of arn:partition:service:region:account:TYPE:... into
 * type (cap bytes); false when arn has fewer fields or TYPE does not fit. */
bool srv__arn_type(const char *arn, char *type, size_t cap);
/* An ARN of resource type `type` (or also `type2`, may be NULL). */
bool srv__arn(srv_call *c, const char *member, const char *type,
              const char *type2, const char **out);
/* Pagination (reference §12.7): reads maxResults / nextToken, moves the
 * page of items (taken) into c->out[list] and adds nextToken when more
 * remain. key binds tokens to the request (e.g. the ARN). */
bool srv__page(srv_call *c, json_object *items, const char *list,
               const char *key, size_t token_max);
/* The same in two parts, for a list read a page at a time: the page's
 * start (*offset, 0 without a token) and size; then the page (taken) and,
 * when more remain, a nextToken for offset next. */
bool srv__page_args(srv_call *c, const char *key, size_t token_max,
                    size_t *offset, size_t *want);
void srv__page_put(srv_call *c, json_object *page, const char *list,
                   const char *key, bool more, size_t next);
/* GetExecutionHistory's page of arn's events into c->out, reading only
 * the history rows that hold it; each event goes through fix(ev, ud) when
 * fix is not NULL. Returns 0, -1 when the call failed (reported: a bad
 * maxResults or token) or 1 when the execution is unknown (not reported:
 * the caller names it). */
int srv__history_page(srv_call *c, const char *arn, bool reverse,
                      const char *key, void (*fix)(json_object *ev, void *ud),
                      void *ud);
/* A list of {key, value} tags (srv_task.c); *out borrowed, NULL when
 * absent. */
bool srv__tags(srv_call *c, const char *member, bool required,
               json_object **out);
/* Fails c with err and the message an engine call returned (taken). */
void srv__fail_engine(srv_call *c, char *msg);

/* The longest execution input AWS accepts, in characters. */
#define SRV_PAYLOAD_MAX 262144

/* NULL-terminated enum values: machine types and execution statuses (in
 * the order AWS lists them in its enum message). */
extern const char *const srv__machine_types[];
extern const char *const srv__exec_statuses[];
/* Fails c with InvalidDefinition and AWS's one-line message listing d's
 * errors ('<CODE>: <text> at <location>, ...'). */
void srv__fail_definition(srv_call *c, const sl_diags *d);
/* One diagnostic as {severity, code, message, location?} (new). */
json_object *srv__diag_object(const sl_diag *g);

/* The plain REST front on the loop thread (srv_rest.c): answers r. */
void srv__rest(srv_req *r);

/* ---- XML and HTML output (srv_xml.c) -------------------------------------
 * libxml2's xmlTextWriter into memory. Every call after a failure does
 * nothing and srv__xml_end reports it, so writers need not check each
 * call. Text and attribute values are cleaned first: invalid UTF-8 and
 * characters XML cannot hold become U+FFFD. Loop thread (or any single
 * thread: nothing is shared). */
struct _xmlTextWriter;
struct _xmlBuffer;
typedef struct srv_xml {
    struct _xmlTextWriter *w;
    struct _xmlBuffer *buf;
    bool bad;
} srv_xml;

void srv__xml_begin(srv_xml *x, bool indent);
void srv__xml_open(srv_xml *x, const char *tag);
/* value NULL: no attribute. */
void srv__xml_attr(srv_xml *x, const char *name, const char *value);
void srv__xml_attrf(srv_xml *x, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void srv__xml_text(srv_xml *x, const char *text);
void srv__xml_textf(srv_xml *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Ends the open element with an end tag, even when empty (<p></p>): HTML
 * reads <p/> as an open tag. */
void srv__xml_close(srv_xml *x);
/* Ends it as <tag/> when empty (SVG leaves, HTML void elements). */
void srv__xml_close_short(srv_xml *x);
/* <tag>text</tag> */
void srv__xml_element(srv_xml *x, const char *tag, const char *text);
/* Writes text unescaped (a doctype, an SVG document from srv_graph_svg). */
void srv__xml_raw(srv_xml *x, const char *text);
/* Closes what is open, appends the document and a newline to out, frees
 * the writer. Returns 0, or BT_EIO when any call failed (out unchanged). */
int srv__xml_end(srv_xml *x, bt_buf *out);

/* The web console's answer to r (srv_console.c): HTML pages for state
 * machines, executions and their graphs. Loop thread. */
void srv__console(srv_req *r);

/* Actions (srv_machine.c, srv_exec.c). */
#define SRV_ACTIONS(X)                                                         \
    X(CreateStateMachine, srv__create_state_machine)                           \
    X(DescribeStateMachine, srv__describe_state_machine)                       \
    X(ListStateMachines, srv__list_state_machines)                             \
    X(UpdateStateMachine, srv__update_state_machine)                           \
    X(DeleteStateMachine, srv__delete_state_machine)                           \
    X(ValidateStateMachineDefinition, srv__validate_definition)                \
    X(StartExecution, srv__start_execution)                                    \
    X(StartSyncExecution, srv__start_sync_execution)                           \
    X(DescribeExecution, srv__describe_execution)                              \
    X(ListExecutions, srv__list_executions)                                    \
    X(GetExecutionHistory, srv__get_execution_history)                         \
    X(StopExecution, srv__stop_execution)                                      \
    X(DescribeStateMachineForExecution, srv__describe_machine_for_execution)   \
    X(CreateActivity, srv__create_activity)                                    \
    X(DescribeActivity, srv__describe_activity)                                \
    X(DeleteActivity, srv__delete_activity)                                    \
    X(ListActivities, srv__list_activities)                                    \
    X(GetActivityTask, srv__get_activity_task)                                 \
    X(SendTaskSuccess, srv__send_task_success)                                 \
    X(SendTaskFailure, srv__send_task_failure)                                 \
    X(SendTaskHeartbeat, srv__send_task_heartbeat)                             \
    X(TagResource, srv__tag_resource)                                          \
    X(UntagResource, srv__untag_resource)                                      \
    X(ListTagsForResource, srv__list_tags)

#define SRV_ACTION_DECL(name, fn) void fn(srv_call *c);
SRV_ACTIONS(SRV_ACTION_DECL)
#undef SRV_ACTION_DECL

#endif
