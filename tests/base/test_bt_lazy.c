/*
 * base/: libraries loaded on first use (bt_lazy.h). Each library must be
 * absent from the process until the first call of one of its functions,
 * present after it, and the calls (the variadic ones included) must reach
 * the real functions with their arguments. A library or function that
 * cannot be loaded ends the process with exit(1) and one line naming it;
 * that is checked in a child process.
 *
 * The tests run in order and share the process: each looks at one library
 * before and after its first call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <libxml/xmlwriter.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/bt_lazy.h"

/* Whether lib is mapped in this process, without loading it. */
static bool loaded(const bt_lazy_lib *lib)
{
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_NOLOAD);
    if (!h)
        return false;
    dlclose(h);
    return true;
}

static void test_nothing_loaded_at_start(void **state)
{
    (void)state;
    assert_false(loaded(&bt_lazy_curl));
    assert_false(loaded(&bt_lazy_xml));
    assert_false(loaded(&bt_lazy_mhd));
    assert_false(loaded(&bt_lazy_crypto));
}

static size_t ignore_body(char *p, size_t size, size_t n, void *userp)
{
    (void)p;
    (void)userp;
    return size * n;
}

static void test_curl(void **state)
{
    (void)state;
    assert_false(loaded(&bt_lazy_curl));
    assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
    assert_true(loaded(&bt_lazy_curl));
    assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);

    /* One option of each argument type through the variadic wrapper; the
     * URL comes back through curl_easy_getinfo's pointer. */
    CURL *c = curl_easy_init();
    assert_non_null(c);
    const char *url = "http://127.0.0.1:9/lazy";
    assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, url), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ignore_body),
                     CURLE_OK);
    assert_int_equal(
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0),
        CURLE_OK);
    /* A long option that curl range-checks: the value arrived intact. */
    assert_int_equal(curl_easy_setopt(c, CURLOPT_MAXREDIRS, -2L),
                     CURLE_BAD_FUNCTION_ARGUMENT);
    char *effective = NULL;
    assert_int_equal(curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective),
                     CURLE_OK);
    assert_string_equal(effective, url);
    curl_easy_cleanup(c);

    CURLM *m = curl_multi_init();
    assert_non_null(m);
    assert_int_equal(curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 4L),
                     CURLM_OK);
    assert_int_equal(curl_multi_setopt(m, CURLMOPT_SOCKETDATA, (void *)m),
                     CURLM_OK);
    curl_multi_cleanup(m);

    CURLU *u = curl_url();
    assert_int_equal(
        curl_url_set(u, CURLUPART_URL, "https://example.com/a?b#c", 0),
        CURLUE_OK);
    char *query = NULL;
    assert_int_equal(curl_url_get(u, CURLUPART_QUERY, &query, 0), CURLUE_OK);
    assert_string_equal(query, "b");
    curl_free(query);
    curl_url_cleanup(u);
    curl_global_cleanup();
}

static void test_xml(void **state)
{
    (void)state;
    assert_false(loaded(&bt_lazy_xml));
    xmlBufferPtr buf = xmlBufferCreate();
    assert_true(loaded(&bt_lazy_xml));
    assert_non_null(buf);
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
    assert_non_null(w);
    assert_true(xmlTextWriterStartElement(w, BAD_CAST "a") >= 0);
    assert_true(xmlTextWriterWriteAttribute(w, BAD_CAST "k", BAD_CAST "v") >=
                0);
    assert_true(xmlTextWriterWriteString(w, BAD_CAST "x<y") >= 0);
    assert_true(xmlTextWriterEndDocument(w) >= 0);
    xmlFreeTextWriter(w);
    /* No declaration: the document was never started. */
    const char *want = "<a k=\"v\">x&lt;y</a>\n";
    assert_int_equal(xmlBufferLength(buf), (int)strlen(want));
    assert_string_equal((const char *)xmlBufferContent(buf), want);
    xmlBufferFree(buf);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **req_cls)
{
    (void)cls, (void)conn, (void)url, (void)method, (void)version;
    (void)upload, (void)upload_size, (void)req_cls;
    return MHD_NO;
}

static void test_mhd(void **state)
{
    (void)state;
    assert_false(loaded(&bt_lazy_mhd));
    /* The options after dh_cls travel to MHD_start_daemon_va: an address
     * to bind (a pointer) and a connection limit (an unsigned int). */
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4, MHD_OPTION_END);
    assert_true(loaded(&bt_lazy_mhd));
    assert_non_null(d);
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    assert_int_not_equal(info->port, 0);
    MHD_stop_daemon(d);
}

static void test_crypto(void **state)
{
    (void)state;
    assert_false(loaded(&bt_lazy_crypto));
    /* Taking a digest's address loads nothing: States.Hash's table does. */
    const EVP_MD *(*md)(void) = EVP_sha256;
    assert_false(loaded(&bt_lazy_crypto));
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest("abc", 3, out, &n, md(), NULL), 1);
    assert_true(loaded(&bt_lazy_crypto));
    /* FIPS 180-2's example: SHA-256("abc"). */
    static const unsigned char want[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
        0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
        0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    assert_int_equal(n, 32);
    assert_memory_equal(out, want, 32);
    /* Each digest reaches its own function: the lengths differ. */
    const EVP_MD *(*const all[])(void) = {EVP_md5, EVP_sha1, EVP_sha384,
                                          EVP_sha512};
    const unsigned int lens[] = {16, 20, 48, 64};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(EVP_Digest("", 0, out, &n, all[i](), NULL), 1);
        assert_int_equal(n, lens[i]);
    }
    unsigned char r[32] = {0}, zero[32] = {0};
    assert_int_equal(RAND_bytes(r, sizeof r), 1);
    assert_memory_not_equal(r, zero, sizeof r);
}

/* Runs fn in a child with stderr into a pipe; returns the child's exit
 * status and what it wrote in out. */
static int in_child(void (*fn)(void), char *out, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        fn();
        _exit(0); /* fn was expected to exit(1) */
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    while (n + 1 < cap && (got = read(fds[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)got;
    out[n] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void open_missing_library(void)
{
    const bt_lazy_lib lib = {"libbaton-no-such-library.so.0", "baton-none"};
    bt_lazy_open(&lib);
}

static void find_missing_function(void)
{
    void *h = bt_lazy_open(&bt_lazy_curl);
    void (*fn)(void) = NULL;
    bt_lazy_sym(&bt_lazy_curl, h, "curl_no_such_function", &fn, sizeof fn);
}

static void test_missing(void **state)
{
    (void)state;
    char out[1024];
    assert_int_equal(in_child(open_missing_library, out, sizeof out), 1);
    const char *want = "baton: this command needs "
                       "libbaton-no-such-library.so.0 (Debian package "
                       "baton-none): libbaton-no-such-library.so.0: ";
    assert_memory_equal(out, want, strlen(want));
    assert_non_null(strchr(out, '\n'));

    assert_int_equal(in_child(find_missing_function, out, sizeof out), 1);
    char head[256];
    snprintf(head, sizeof head,
             "baton: this command needs %s (Debian package libcurl4): ",
             bt_lazy_curl.soname);
    assert_memory_equal(out, head, strlen(head));
    assert_non_null(strstr(out, "curl_no_such_function"));
}

/* bt_lazy_usable answers instead of exiting. */
static void test_usable(void **state)
{
    (void)state;
    const bt_lazy_lib none = {"libbaton-no-such-library.so.0", "baton-none"};
    char *why = NULL;
    assert_false(bt_lazy_usable(&none, &why));
    assert_non_null(why);
    const char *want = "libbaton-no-such-library.so.0 (Debian package "
                       "baton-none) could not be loaded: ";
    assert_memory_equal(why, want, strlen(want));
    free(why);
    assert_false(bt_lazy_usable(&none, NULL));
    why = NULL;
    assert_true(bt_lazy_usable(&bt_lazy_curl, &why));
    assert_null(why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_loaded_at_start),
        /* Before curl, which loads libcrypto for TLS. */
        cmocka_unit_test(test_crypto),
        cmocka_unit_test(test_curl),
        cmocka_unit_test(test_xml),
        cmocka_unit_test(test_mhd),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_usable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
