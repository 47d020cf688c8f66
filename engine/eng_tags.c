/*
 * Tags of state machines and activities (TagResource, UntagResource,
 * ListTagsForResource): key/value pairs kept in the store, at most 50 per
 * resource, as on AWS.
 */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

#define TAGS_MAX 50

/* The resource exists: a state machine (any revision) or an activity. */
static bool resource_exists(eng *e, const char *arn)
{
    store_machine m;
    memset(&m, 0, sizeof m);
    if (store_machine_get(e->st, arn, 0, &m) == 0) {
        store_machine_fini(&m);
        return true;
    }
    store_activity a;
    memset(&a, 0, sizeof a);
    if (store_activity_get(e->st, arn, &a) == 0) {
        store_activity_fini(&a);
        return true;
    }
    return false;
}

static int not_found(const char *arn, char **err)
{
    *err = bt_xasprintf("Resource not found: '%s'", arn);
    return BT_ENOENT;
}

static int collect(const char *key, const char *value, void *ud)
{
    json_object *t = json_object_new_object();
    eng__add_str(t, "key", key);
    eng__add_str(t, "value", value);
    json_object_array_add(ud, t);
    return 0;
}

static json_object *tags_of(eng *e, const char *arn)
{
    json_object *arr = json_object_new_array();
    store_tag_each(e->st, arn, collect, arr);
    return arr;
}

static bool has_key(json_object *tags, const char *key)
{
    for (size_t i = 0; i < json_object_array_length(tags); i++) {
        json_object *k;
        if (json_object_object_get_ex(json_object_array_get_idx(tags, i), "key",
                                      &k) &&
            !strcmp(json_object_get_string(k), key))
            return true;
    }
    return false;
}

int eng_tags_add(eng *e, const char *arn, json_object *tags, char **err)
{
    if (!resource_exists(e, arn))
        return not_found(arn, err);
    json_object *have = tags_of(e, arn);
    size_t n = json_object_array_length(have);
    for (size_t i = 0; i < json_object_array_length(tags); i++) {
        json_object *k;
        json_object_object_get_ex(json_object_array_get_idx(tags, i), "key",
                                  &k);
        if (!has_key(have, json_object_get_string(k))) {
            collect(json_object_get_string(k), "", have);
            n++;
        }
    }
    json_object_put(have);
    if (n > TAGS_MAX) {
        *err = bt_xasprintf("Too many tags: '%s' would have %zu tags; the "
                            "limit is %d",
                            arn, n, TAGS_MAX);
        return BT_ELIMIT;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_object_array_length(tags); i++) {
        json_object *t = json_object_array_get_idx(tags, i), *k, *v;
        json_object_object_get_ex(t, "key", &k);
        bool hv = json_object_object_get_ex(t, "value", &v) && v;
        rc = store_tag_put(e->st, arn, json_object_get_string(k),
                           hv ? json_object_get_string(v) : "");
    }
    if (rc != 0) {
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        return BT_EIO;
    }
    return 0;
}

int eng_tags_remove(eng *e, const char *arn, json_object *keys, char **err)
{
    if (!resource_exists(e, arn))
        return not_found(arn, err);
    for (size_t i = 0; i < json_object_array_length(keys); i++)
        if (store_tag_delete(e->st, arn,
                             json_object_get_string(
                                 json_object_array_get_idx(keys, i))) != 0) {
            *err = bt_xasprintf("store: %s", store_errmsg(e->st));
            return BT_EIO;
        }
    return 0;
}

int eng_tags_list(eng *e, const char *arn, json_object **out, char **err)
{
    if (!resource_exists(e, arn))
        return not_found(arn, err);
    *out = tags_of(e, arn);
    return 0;
}
