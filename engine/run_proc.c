/*
 * Function processes: spawn, feed stdin, collect stdout, enforce a timeout
 * by killing the whole process group. Runs on the engine's loop.
 *
 * Lifecycle of a run_proc: RUNNING (process, pipes and timer open) -> the
 * process exits or is killed -> once the exit status and EOF on stdout and
 * stderr are all in (the group is killed at exit, so no grandchild holds
 * them open), done() is called once -> every handle is closed -> freed when
 * the last close callback runs. Abandoning clears done() and kills.
 */
#include "engine/eng_int.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct run_proc {
    uv_process_t process;
    uv_pipe_t in;
    uv_pipe_t out;
    uv_pipe_t err; /* stderr, forwarded line by line to log() */
    uv_timer_t timer;
    uv_write_t write_req;
    char *input;
    size_t max_out;
    bt_buf stdout_buf;
    run_proc_done_fn done;
    run_proc_log_fn log;
    bt_buf err_line;
    void *ud;
    run_proc_result res;
    int open_handles;
    bool exited;
    bool eof;
    bool err_eof;
    bool reported;
    bool timer_on;
};

static void on_close(uv_handle_t *h)
{
    run_proc *p = h->data;
    if (--p->open_handles == 0) {
        bt_buf_fini(&p->stdout_buf);
        bt_buf_fini(&p->err_line);
        free(p->input);
        run_proc_result_fini(&p->res);
        free(p);
    }
}

static void close_all(run_proc *p)
{
    uv_handle_t *hs[] = {(uv_handle_t *)&p->process, (uv_handle_t *)&p->in,
                         (uv_handle_t *)&p->out, (uv_handle_t *)&p->timer,
                         (uv_handle_t *)&p->err};
    for (size_t i = 0; i < 5; i++)
        if (!uv_is_closing(hs[i]))
            uv_close(hs[i], on_close);
}

static void maybe_report(run_proc *p)
{
    if (p->reported || !p->exited || !p->eof || !p->err_eof)
        return;
    p->reported = true;
    if (p->timer_on)
        uv_timer_stop(&p->timer);
    p->res.out_len = p->stdout_buf.len;
    p->res.out = bt_buf_take(&p->stdout_buf);
    if (p->done)
        p->done(&p->res, p->ud);
    close_all(p);
}

static void kill_group(run_proc *p)
{
    if (p->exited || p->process.pid <= 0)
        return;
    /* The child leads its own process group (UV_PROCESS_DETACHED). */
    kill(-p->process.pid, SIGKILL);
    kill(p->process.pid, SIGKILL);
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int signal)
{
    run_proc *p = proc->data;
    p->res.exit_status = status;
    p->res.term_signal = signal;
    p->exited = true;
    /* Grandchildren may hold stdout open; they die with the group. */
    if (p->process.pid > 0)
        kill(-p->process.pid, SIGKILL);
    maybe_report(p);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    buf->base = bt_xmalloc(suggested);
    buf->len = suggested;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    run_proc *p = s->data;
    if (n > 0) {
        if (p->stdout_buf.len + (size_t)n > p->max_out) {
            p->res.too_large = true;
            kill_group(p);
        } else {
            bt_buf_append(&p->stdout_buf, buf->base, (size_t)n);
        }
    } else if (n < 0) {
        uv_read_stop(s);
        p->eof = true;
        maybe_report(p);
    }
    free(buf->base);
}

/* Forwards complete stderr lines (and, at the end, the rest). */
static void flush_err(run_proc *p, bool all)
{
    char *start = p->err_line.data;
    size_t len = p->err_line.len;
    char *nl;
    while (len && (nl = memchr(start, '\n', len))) {
        *nl = '\0';
        if (p->log && !p->reported)
            p->log(p->ud, start);
        len -= (size_t)(nl + 1 - start);
        start = nl + 1;
    }
    if (all && len && p->log && !p->reported) {
        start[len] = '\0';
        p->log(p->ud, start);
        len = 0;
    }
    if (!p->err_line.data)
        return;
    memmove(p->err_line.data, start, len);
    p->err_line.len = len;
    p->err_line.data[len] = '\0';
}

static void on_err_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    run_proc *p = s->data;
    if (n > 0) {
        /* A line longer than 64 KiB is cut: logs are for people. */
        if (p->err_line.len + (size_t)n > 65536)
            flush_err(p, true);
        bt_buf_append(&p->err_line, buf->base, (size_t)n);
        flush_err(p, false);
    } else if (n < 0) {
        uv_read_stop(s);
        flush_err(p, true);
        p->err_eof = true;
        maybe_report(p);
    }
    free(buf->base);
}

static void on_timeout(uv_timer_t *t)
{
    run_proc *p = t->data;
    p->res.timed_out = true;
    kill_group(p);
}

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    run_proc *p = req->data;
    if (!uv_is_closing((uv_handle_t *)&p->in))
        uv_close((uv_handle_t *)&p->in, on_close);
}

static void init_handles(uv_loop_t *loop, run_proc *p)
{
    uv_pipe_init(loop, &p->in, 0);
    uv_pipe_init(loop, &p->out, 0);
    uv_pipe_init(loop, &p->err, 0);
    uv_timer_init(loop, &p->timer);
    p->in.data = p->out.data = p->err.data = p->timer.data = p;
    p->process.data = p;
    p->write_req.data = p;
    p->open_handles = 4; /* the process handle is counted once spawned */
}

int run_proc_start(uv_loop_t *loop, char **argv, char **env, const char *cwd,
                   const char *input, size_t input_len, int64_t timeout_ms,
                   size_t max_out, run_proc_done_fn done, run_proc_log_fn log,
                   void *ud, run_proc **out, char **err)
{
    run_proc *p = bt_xcalloc(1, sizeof *p);
    bt_buf_init(&p->stdout_buf);
    bt_buf_init(&p->err_line);
    p->log = log;
    p->max_out = max_out;
    p->done = done;
    p->ud = ud;
    init_handles(loop, p);
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
    stdio[0].data.stream = (uv_stream_t *)&p->in;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&p->out;
    stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[2].data.stream = (uv_stream_t *)&p->err;
    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    o.file = argv[0];
    o.args = argv;
    o.env = env;
    o.cwd = cwd;
    o.exit_cb = on_exit_cb;
    o.stdio_count = 3;
    o.stdio = stdio;
    o.flags = UV_PROCESS_DETACHED;
    int rc = uv_spawn(loop, &p->process, &o);
    if (rc != 0) {
        *err = bt_xasprintf("cannot start %s: %s", argv[0], uv_strerror(rc));
        p->done = NULL;
        uv_close((uv_handle_t *)&p->in, on_close);
        uv_close((uv_handle_t *)&p->out, on_close);
        uv_close((uv_handle_t *)&p->err, on_close);
        uv_close((uv_handle_t *)&p->timer, on_close);
        /* libuv requires closing the process handle even on failure. */
        p->open_handles++;
        uv_close((uv_handle_t *)&p->process, on_close);
        return BT_EIO;
    }
    p->open_handles++;
    p->input = bt_xstrndup(input, input_len);
    uv_buf_t b = uv_buf_init(p->input, (unsigned)input_len);
    uv_write(&p->write_req, (uv_stream_t *)&p->in, &b, 1, on_written);
    uv_read_start((uv_stream_t *)&p->out, on_alloc, on_read);
    uv_read_start((uv_stream_t *)&p->err, on_alloc, on_err_read);
    if (timeout_ms > 0) {
        /* Spawning many processes in one loop turn takes time: measure the
         * timeout from now, not from the turn's start. */
        uv_update_time(loop);
        uv_timer_start(&p->timer, on_timeout, (uint64_t)timeout_ms, 0);
        p->timer_on = true;
    }
    *out = p;
    return 0;
}

void run_proc_kill(run_proc *p)
{
    kill_group(p);
}

void run_proc_abandon(run_proc *p)
{
    p->done = NULL;
    kill_group(p);
}

void run_proc_result_fini(run_proc_result *r)
{
    free(r->out);
    free(r->err_text);
    r->out = NULL;
    r->err_text = NULL;
}
