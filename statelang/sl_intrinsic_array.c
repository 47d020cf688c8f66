/*
 * The array intrinsics (ASL reference §4.3): ArrayPartition, ArrayContains,
 * ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique, and the deep
 * equality that ArrayContains and ArrayUnique share.
 *
 * Equality is structural: numbers compare by value whatever json-c type
 * holds them (1, 1.0 and an integer above INT64_MAX compare exactly, never
 * through a rounded double), objects regardless of member order. The hash
 * used by ArrayUnique agrees with it, so equal values always hash alike.
 */
#include "statelang/sl_intrinsic_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Deep equality ----------------------------------------------------------
 */

static bool is_number(json_object *v)
{
    return json_object_is_type(v, json_type_int) ||
           json_object_is_type(v, json_type_double);
}

/* An integral number as (negative?, 64 bits): negative values as int64
 * two's complement, others as uint64. False for a fraction, a non-finite
 * double or a double beyond the integers json-c can hold. */
static bool as_integer(json_object *v, bool *neg, uint64_t *bits)
{
    if (json_object_is_type(v, json_type_int)) {
        int64_t x = json_object_get_int64(v);
        *neg = x < 0;
        *bits = x < 0 ? (uint64_t)x : json_object_get_uint64(v);
        return true;
    }
    double d = json_object_get_double(v);
    if (!(d == floor(d)) || !(d >= -9223372036854775808.0) ||
        !(d < 18446744073709551616.0))
        return false;
    *neg = d < 0;
    *bits = d < 0 ? (uint64_t)(int64_t)d : (uint64_t)d;
    return true;
}

static bool numbers_equal(json_object *a, json_object *b)
{
    bool na, nb;
    uint64_t ba, bb;
    bool ia = as_integer(a, &na, &ba), ib = as_integer(b, &nb, &bb);
    if (ia && ib)
        return na == nb && ba == bb;
    if (ia || ib)
        return false;
    return json_object_get_double(a) == json_object_get_double(b);
}

static bool arrays_equal(json_object *a, json_object *b)
{
    size_t n = json_object_array_length(a);
    if (json_object_array_length(b) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!sl_ifn__equal(json_object_array_get_idx(a, i),
                           json_object_array_get_idx(b, i)))
            return false;
    return true;
}

static bool objects_equal(json_object *a, json_object *b)
{
    if (json_object_object_length(a) != json_object_object_length(b))
        return false;
    json_object_object_foreach(a, key, member)
    {
        json_object *other;
        if (!json_object_object_get_ex(b, key, &other) ||
            !sl_ifn__equal(member, other))
            return false;
    }
    return true;
}

bool sl_ifn__equal(json_object *a, json_object *b)
{
    if (is_number(a) && is_number(b))
        return numbers_equal(a, b);
    json_type t = json_object_get_type(a);
    if (t != json_object_get_type(b))
        return false;
    switch (t) {
    case json_type_null:
        return true;
    case json_type_boolean:
        return json_object_get_boolean(a) == json_object_get_boolean(b);
    case json_type_string:
        return json_object_get_string_len(a) == json_object_get_string_len(b) &&
               memcmp(json_object_get_string(a), json_object_get_string(b),
                      (size_t)json_object_get_string_len(a)) == 0;
    case json_type_array:
        return arrays_equal(a, b);
    case json_type_object:
        return objects_equal(a, b);
    default:
        return false;
    }
}

/* ---- A hash that agrees with sl_ifn__equal --------------------------------
 */

static uint64_t mix(uint64_t x) /* SplitMix64's finaliser */
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static uint64_t bytes_hash(const char *s, size_t n) /* FNV-1a */
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    return h;
}

static uint64_t value_hash(json_object *v)
{
    bool neg;
    uint64_t bits, h;
    switch (json_object_get_type(v)) {
    case json_type_boolean:
        return mix(2 + (uint64_t)json_object_get_boolean(v));
    case json_type_int:
    case json_type_double: {
        if (as_integer(v, &neg, &bits))
            return mix(bits ^ (neg ? 0x5bd1e995u : 0));
        double d = json_object_get_double(v);
        memcpy(&bits, &d, sizeof bits);
        return mix(bits ^ 0x3c6ef372u);
    }
    case json_type_string:
        return bytes_hash(json_object_get_string(v),
                          (size_t)json_object_get_string_len(v));
    case json_type_array:
        h = 0x27d4eb2fu;
        for (size_t i = 0; i < json_object_array_length(v); i++)
            h = mix(h ^ value_hash(json_object_array_get_idx(v, i)));
        return h;
    case json_type_object:
        h = 0x165667b1u; /* a sum, so member order does not matter */
        json_object_object_foreach(v, key, member)
        {
            h += mix(bytes_hash(key, strlen(key)) ^ value_hash(member));
        }
        return h;
    default:
        return 1;
    }
}

/* ---- The functions ----------------------------------------------------------
 */

int sl_ifn__array_partition(sl_ifn *f, json_object **out)
{
    int64_t size;
    if (sl_ifn__want(f, 0, json_type_array) || sl_ifn__int(f, 1, &size))
        return BT_EINVAL;
    if (size <= 0)
        return sl_ifn__fail_arg(f, 1, "must be greater than 0");
    json_object *arr = f->args[0], *chunks = json_object_new_array();
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n;) {
        size_t end = (uint64_t)(n - i) <= (uint64_t)size ? n : i + (size_t)size;
        json_object *chunk = json_object_new_array_ext((int)(end - i));
        for (; i < end; i++)
            sl_ifn__push(chunk,
                         json_object_get(json_object_array_get_idx(arr, i)));
        sl_ifn__push(chunks, chunk);
    }
    *out = chunks;
    return 0;
}

int sl_ifn__array_contains(sl_ifn *f, json_object **out)
{
    if (sl_ifn__want(f, 0, json_type_array) ||
        !sl_ifn__depth_ok(f, f->args[0]) || !sl_ifn__depth_ok(f, f->args[1]))
        return BT_EINVAL;
    json_object *arr = f->args[0];
    bool found = false;
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n && !found; i++)
        found = sl_ifn__equal(json_object_array_get_idx(arr, i), f->args[1]);
    *out = json_object_new_boolean(found);
    return 0;
}

/* start, start+step, ... up to and including end; a negative step counts
 * down to end ([AMBIG]: the spec only forbids 0). Arithmetic is unsigned so
 * that no intermediate overflows. */
int sl_ifn__array_range(sl_ifn *f, json_object **out)
{
    int64_t start, end, step;
    if (sl_ifn__int(f, 0, &start) || sl_ifn__int(f, 1, &end) ||
        sl_ifn__int(f, 2, &step))
        return BT_EINVAL;
    if (step == 0)
        return sl_ifn__fail_arg(f, 2, "must not be 0");
    uint64_t count = 0;
    if (step > 0 && start <= end)
        count = ((uint64_t)end - (uint64_t)start) / (uint64_t)step + 1;
    else if (step < 0 && start >= end)
        count = ((uint64_t)start - (uint64_t)end) / (0 - (uint64_t)step) + 1;
    if (count > SL_IFN_MAX_RANGE)
        return sl_ifn__fail(f,
                            "would return %llu elements; at most %d are "
                            "allowed",
                            (unsigned long long)count, SL_IFN_MAX_RANGE);
    json_object *arr = json_object_new_array_ext((int)count);
    for (uint64_t i = 0; i < count; i++)
        sl_ifn__push(arr, json_object_new_int64(
                              (int64_t)((uint64_t)start + i * (uint64_t)step)));
    *out = arr;
    return 0;
}

int sl_ifn__array_get_item(sl_ifn *f, json_object **out)
{
    int64_t index;
    if (sl_ifn__want(f, 0, json_type_array) || sl_ifn__int(f, 1, &index))
        return BT_EINVAL;
    size_t n = json_object_array_length(f->args[0]);
    if (index < 0 || (uint64_t)index >= n)
        return sl_ifn__fail_arg(f, 1,
                                "is out of range: index %lld, array length "
                                "%zu",
                                (long long)index, n);
    *out = json_object_get(json_object_array_get_idx(f->args[0], index));
    return 0;
}

int sl_ifn__array_length(sl_ifn *f, json_object **out)
{
    if (sl_ifn__want(f, 0, json_type_array))
        return BT_EINVAL;
    *out = json_object_new_int64((int64_t)json_object_array_length(f->args[0]));
    return 0;
}

/* First occurrences in order. An open-addressing table of the kept values'
 * hashes keeps this linear on average; equal hashes are confirmed with
 * sl_ifn__equal. */
int sl_ifn__array_unique(sl_ifn *f, json_object **out)
{
    if (sl_ifn__want(f, 0, json_type_array) || !sl_ifn__depth_ok(f, f->args[0]))
        return BT_EINVAL;
    json_object *arr = f->args[0], *kept = json_object_new_array();
    size_t n = json_object_array_length(arr), cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    uint64_t *hashes = bt_xcalloc(cap, sizeof *hashes);
    json_object **slots = bt_xcalloc(cap, sizeof *slots);
    bool *used = bt_xcalloc(cap, sizeof *used);
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        uint64_t h = value_hash(v);
        size_t s = (size_t)h & (cap - 1);
        while (used[s] && !(hashes[s] == h && sl_ifn__equal(slots[s], v)))
            s = (s + 1) & (cap - 1);
        if (used[s])
            continue;
        used[s] = true, hashes[s] = h, slots[s] = v;
        sl_ifn__push(kept, json_object_get(v));
    }
    free(hashes);
    free(slots);
    free(used);
    *out = kept;
    return 0;
}
