/*
 * Activities, task tokens and tags: CreateActivity, DescribeActivity,
 * DeleteActivity, ListActivities, GetActivityTask, SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat, TagResource, UntagResource and
 * ListTagsForResource (reference §7.4, §7.5, §12.6).
 *
 * GetActivityTask is a long poll that holds no thread: the request stays
 * suspended while the engine queues the worker; the engine calls back once
 * a task was handed out (after ActivityStarted is committed) or the poll's
 * time ran out. SendTaskSuccess/Failure answer once the outcome is
 * committed.
 */
#include "server/srv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRV_PAYLOAD_MAX 262144 /* output (AWS) */
#define TOKEN_MAX 2048
#define TAG_KEY_MAX 128
#define TAG_VALUE_MAX 256

/* ---- tags ---------------------------------------------------------------- */

static bool tag_string(srv_call *c, json_object *v, const char *where,
                       size_t min, size_t max)
{
    if (!json_object_is_type(v, json_type_string))
        return srv__fail(c, SRV_SERIALIZATION,
                         "Expected a string (member '%s')", where);
    size_t n = bt_utf8_length(json_object_get_string(v),
                              (size_t)json_object_get_string_len(v));
    if (n < min || n > max)
        return srv__fail(c, SRV_VALIDATION,
                         "1 validation error detected: Value '%s' at '%s' "
                         "failed to satisfy constraint: Member must have "
                         "length %s than or equal to %zu",
                         json_object_get_string(v), where,
                         n < min ? "greater" : "less", n < min ? min : max);
    return true;
}

bool srv__tags(srv_call *c, const char *name, bool required, json_object **out)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(c->in, name, &v) || !v) {
        if (required)
            return srv__missing(c, name);
        return true;
    }
    if (!json_object_is_type(v, json_type_array))
        return srv__fail(c, SRV_SERIALIZATION,
                         "Expected a list of tags (member '%s')", name);
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        json_object *t = json_object_array_get_idx(v, i), *k = NULL, *val;
        char where[64];
        snprintf(where, sizeof where, "%s.%zu.member.key", name, i + 1);
        if (!json_object_is_type(t, json_type_object))
            return srv__fail(c, SRV_SERIALIZATION,
                             "Expected a tag object (member '%s')", name);
        if (!json_object_object_get_ex(t, "key", &k) || !k)
            return srv__missing(c, where);
        if (!tag_string(c, k, where, 1, TAG_KEY_MAX))
            return false;
        snprintf(where, sizeof where, "%s.%zu.member.value", name, i + 1);
        if (json_object_object_get_ex(t, "value", &val) && val &&
            !tag_string(c, val, where, 0, TAG_VALUE_MAX))
            return false;
    }
    *out = v;
    return true;
}

/* A resource ARN of a state machine or an activity. */
static bool resource_arn(srv_call *c, const char **arn)
{
    return srv__arn(c, "resourceArn", "stateMachine", "activity", arn);
}

void srv__tag_resource(srv_call *c)
{
    const char *arn;
    json_object *tags;
    char *err = NULL;
    if (!resource_arn(c, &arn) || !srv__tags(c, "tags", true, &tags))
        return;
    if (eng_tags_add(c->e, arn, tags, &err) != 0)
        srv__fail_engine(c, err);
}

void srv__untag_resource(srv_call *c)
{
    const char *arn;
    json_object *keys = NULL;
    char *err = NULL;
    if (!resource_arn(c, &arn))
        return;
    if (!json_object_object_get_ex(c->in, "tagKeys", &keys) || !keys) {
        srv__missing(c, "tagKeys");
        return;
    }
    if (!json_object_is_type(keys, json_type_array)) {
        srv__fail(c, SRV_SERIALIZATION,
                  "Expected a list of strings (member 'tagKeys')");
        return;
    }
    for (size_t i = 0; i < json_object_array_length(keys); i++) {
        char where[48];
        snprintf(where, sizeof where, "tagKeys.%zu.member", i + 1);
        if (!tag_string(c, json_object_array_get_idx(keys, i), where, 1,
                        TAG_KEY_MAX))
            return;
    }
    if (eng_tags_remove(c->e, arn, keys, &err) != 0)
        srv__fail_engine(c, err);
}

void srv__list_tags(srv_call *c)
{
    const char *arn;
    json_object *tags = NULL;
    char *err = NULL;
    if (!resource_arn(c, &arn))
        return;
    if (eng_tags_list(c->e, arn, &tags, &err) != 0) {
        srv__fail_engine(c, err);
        return;
    }
    c->out = json_object_new_object();
    json_object_object_add(c->out, "tags", tags);
}

/* ---- activities ---------------------------------------------------------- */

void srv__create_activity(srv_call *c)
{
    const char *name;
    json_object *tags;
    char *err = NULL;
    if (!srv__str(c, "name", true, 0, false, &name) ||
        !srv__tags(c, "tags", false, &tags))
        return;
    bool created = false;
    if (eng_activity_create(c->e, name, &c->out, &created, &err) != 0) {
        srv__fail_engine(c, err);
        return;
    }
    /* A repeated create keeps the first one's tags (AWS). */
    json_object *arn;
    json_object_object_get_ex(c->out, "activityArn", &arn);
    if (tags && created &&
        eng_tags_add(c->e, json_object_get_string(arn), tags, &err)) {
        json_object_put(c->out);
        c->out = NULL;
        srv__fail_engine(c, err);
    }
}

void srv__describe_activity(srv_call *c)
{
    const char *arn;
    if (!srv__arn(c, "activityArn", "activity", NULL, &arn))
        return;
    c->out = eng_activity_describe(c->e, arn);
    if (!c->out) {
        srv__fail(c, SRV_ACTIVITY_MISSING, "Activity Does Not Exist: '%s'",
                  arn);
        return;
    }
    json_object *enc = json_object_new_object();
    json_object_object_add(enc, "type",
                           json_object_new_string("AWS_OWNED_KEY"));
    json_object_object_add(c->out, "encryptionConfiguration", enc);
}

void srv__delete_activity(srv_call *c)
{
    const char *arn;
    char *err = NULL;
    if (!srv__arn(c, "activityArn", "activity", NULL, &arn))
        return;
    if (eng_activity_delete(c->e, arn, &err) != 0)
        srv__fail_engine(c, err);
}

void srv__list_activities(srv_call *c)
{
    srv__page(c, eng_activity_list(c->e), "activities", NULL, 1024);
}

/* ---- GetActivityTask ------------------------------------------------------
 */

static void poll_done(void *arg, const char *token, const char *input)
{
    srv_call c = srv__later(arg);
    c.out = json_object_new_object();
    if (token) {
        json_object_object_add(c.out, "taskToken",
                               json_object_new_string(token));
        json_object_object_add(c.out, "input", json_object_new_string(input));
    }
    srv__finish(&c);
}

void srv__get_activity_task(srv_call *c)
{
    const char *arn, *worker;
    char *err = NULL;
    if (!srv__arn(c, "activityArn", "activity", NULL, &arn) ||
        !srv__str(c, "workerName", false, 80, false, &worker))
        return;
    if (eng_activity_poll(c->e, arn, worker, c->s->poll_ms, poll_done, c->r,
                          &err) != 0) {
        srv__fail_engine(c, err);
        return;
    }
    c->deferred = true;
}

/* ---- SendTask* ------------------------------------------------------------
 */

static void sent_done(void *arg, bool recorded)
{
    srv_call c = srv__later(arg);
    if (!recorded)
        srv__fail(&c, SRV_TASK_TIMED_OUT,
                  "Task Timed Out: 'Provided task does not exist anymore'");
    srv__finish(&c);
}

/* Runs a SendTaskSuccess/Failure whose answer comes after the commit. */
static void deferred_send(srv_call *c, const char *token, const char *output,
                          const char *error, const char *cause)
{
    char *err = NULL;
    int rc = output
                 ? eng_task_success(c->e, token, output, sent_done, c->r, &err)
                 : eng_task_failure(c->e, token, error, cause, sent_done, c->r,
                                    &err);
    if (rc != 0) {
        srv__fail_engine(c, err);
        return;
    }
    c->deferred = true;
}

void srv__send_task_success(srv_call *c)
{
    const char *token, *output;
    if (!srv__str(c, "taskToken", true, TOKEN_MAX, false, &token) ||
        !srv__str(c, "output", true, SRV_PAYLOAD_MAX, true, &output))
        return;
    deferred_send(c, token, output, NULL, NULL);
}

void srv__send_task_failure(srv_call *c)
{
    const char *token, *error, *cause;
    if (!srv__str(c, "taskToken", true, TOKEN_MAX, false, &token) ||
        !srv__str(c, "error", false, 256, true, &error) ||
        !srv__str(c, "cause", false, 32768, true, &cause))
        return;
    deferred_send(c, token, NULL, error, cause);
}

void srv__send_task_heartbeat(srv_call *c)
{
    const char *token;
    char *err = NULL;
    if (!srv__str(c, "taskToken", true, TOKEN_MAX, false, &token))
        return;
    if (eng_task_heartbeat(c->e, token, &err) != 0)
        srv__fail_engine(c, err);
}
