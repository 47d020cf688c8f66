/*
 * Function processes: spawn, feed stdin, collect stdout, enforce a timeout
 * by killing the whole process group. Runs on the engine's loop.
 *
 * Processes start with posix_spawn, which glibc implements with
 * clone(CLONE_VM | CLONE_VFORK): unlike libuv's fork-based uv_spawn, the
 * engine's address space is not copied for every call. The parent's pipe
 * ends go to libuv with uv_pipe_open; a run_reaper (one per loop) reaps
 * the processes on SIGCHLD with waitpid on each of its own pids, never -1:
 * libuv reaps its uv_spawn children (the warm workers) the same way, each
 * side leaving the other's alone.
 *
 * Lifecycle of a run_proc: RUNNING (process in the reaper's list, pipes
 * and timer open) -> the process exits or is killed -> the reaper kills
 * the group while the exited leader still holds its pid, reaps it and
 * takes it off its list -> once the exit status and EOF on stdout and
 * stderr are all in (the group is killed at exit, so no grandchild holds
 * them open), done() is called once -> every handle is closed -> freed
 * when the last close callback runs. Abandoning clears done() and kills.
 */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addchdir_np */
#include "engine/eng_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define READ_BUF_SIZE 65536

struct run_reaper {
    uv_signal_t sigchld;
    posix_spawnattr_t attr; /* the same for every process */
    run_proc *procs;        /* started, not yet reaped */
    /* Every pipe read lands here first: libuv calls alloc, read and the
     * read callback in one go, and the callbacks copy what they keep. */
    char read_buf[READ_BUF_SIZE];
};

struct run_proc {
    run_proc *prev, *next; /* in the reaper's list while not reaped */
    run_reaper *r;
    pid_t pid;
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
    uv_handle_t *hs[] = {(uv_handle_t *)&p->in, (uv_handle_t *)&p->out,
                         (uv_handle_t *)&p->timer, (uv_handle_t *)&p->err};
    for (size_t i = 0; i < 4; i++)
        if (!uv_is_closing(hs[i]))
            uv_close(hs[i], on_close);
}

static void maybe_report(run_proc *p)
{
    /* Reaping at EOF would not save the SIGCHLD's loop turn: the pipes
     * close early in the exit, and a waitid then found the process still
     * running in 92 % of calls (docs/performance.md). */
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
    /* Once reaped, the pid may belong to someone else. */
    if (p->exited || p->pid <= 0)
        return;
    /* The child leads its own session and process group (setsid). */
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL);
}

/* ---- reaping ---------------------------------------------------------- */

static void reaper_unlink(run_reaper *r, run_proc *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        r->procs = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->prev = p->next = NULL;
    /* Like a uv_process_t, a running process keeps the loop alive. */
    if (!r->procs)
        uv_unref((uv_handle_t *)&r->sigchld);
}

/* Whether p has exited; if so, kills what is left of its group and reaps
 * it into p->res. */
static bool reap(run_proc *p)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    /* WNOWAIT: the exited leader keeps its pid, and with it the group id,
     * from being reused until the group has been killed. */
    int rc;
    do
        rc = waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT);
    while (rc == -1 && errno == EINTR);
    if (rc == 0 && si.si_pid == 0)
        return false; /* still running */
    if (rc == 0) {
        /* Grandchildren may hold stdout open; they die with the group. */
        kill(-p->pid, SIGKILL);
    }
    int status = 0;
    pid_t w;
    do
        w = waitpid(p->pid, &status, 0);
    while (w == -1 && errno == EINTR);
    if (w == p->pid && WIFSIGNALED(status)) {
        p->res.term_signal = WTERMSIG(status);
    } else if (w == p->pid) {
        p->res.exit_status = WEXITSTATUS(status);
    } else {
        /* Someone else reaped our child: the status is lost. */
        p->res.exit_status = -1;
    }
    return true;
}

static void on_sigchld(uv_signal_t *h, int signum)
{
    (void)signum;
    run_reaper *r = h->data;
    /* Reap first, report after: a report may start or abandon processes,
     * which changes the list. */
    run_proc *exited = NULL;
    for (run_proc *p = r->procs, *next; p; p = next) {
        next = p->next;
        if (!reap(p))
            continue;
        reaper_unlink(r, p);
        p->exited = true; /* from now on the pid is not ours to kill */
        p->next = exited;
        exited = p;
    }
    while (exited) {
        run_proc *p = exited;
        exited = p->next;
        p->next = NULL;
        maybe_report(p);
    }
}

run_reaper *run_reaper_new(uv_loop_t *loop)
{
    run_reaper *r = bt_xcalloc(1, sizeof *r);
    uv_signal_init(loop, &r->sigchld);
    r->sigchld.data = r;
    /* Started before any process, so no exit goes unnoticed. */
    uv_signal_start(&r->sigchld, on_sigchld, SIGCHLD);
    uv_unref((uv_handle_t *)&r->sigchld);
    /* Children start as after fork + exec from a clean process: their own
     * session and group (killed as one; no controlling terminal, as with
     * libuv's UV_PROCESS_DETACHED), no blocked signals and every signal at
     * its default, SIGPIPE above all, which baton ignores. */
    sigset_t none, all;
    sigemptyset(&none);
    /* Every bit, not sigfillset: glibc leaves out its internal signals
     * (32 and 33), and its posix_spawn sets those to SIG_IGN in the child
     * unless they are in this set, an ignore that survives exec. */
    memset(&all, 0xff, sizeof all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_init(&r->attr);
    posix_spawnattr_setflags(&r->attr, POSIX_SPAWN_SETSID |
                                           POSIX_SPAWN_SETSIGMASK |
                                           POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&r->attr, &none);
    posix_spawnattr_setsigdefault(&r->attr, &all);
    return r;
}

static void on_reaper_close(uv_handle_t *h)
{
    run_reaper *r = h->data;
    posix_spawnattr_destroy(&r->attr);
    free(r);
}

void run_reaper_free(run_reaper *r)
{
    if (!r)
        return;
    while (r->procs)
        reaper_unlink(r, r->procs);
    uv_close((uv_handle_t *)&r->sigchld, on_reaper_close);
}

/* ---- the pipes ---------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    run_proc *p = h->data;
    buf->base = p->r->read_buf;
    buf->len = sizeof p->r->read_buf;
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

/* ---- starting ----------------------------------------------------------- */

/* Writes input to the process's stdin and closes it: at once when the pipe
 * takes it all (a payload up to the pipe's 64 KiB, the usual case), the
 * rest from a copy as the process reads. */
static void feed(run_proc *p, const char *input, size_t input_len)
{
    uv_buf_t b = uv_buf_init((char *)input, (unsigned)input_len);
    int n = input_len ? uv_try_write((uv_stream_t *)&p->in, &b, 1) : 0;
    size_t done = n > 0 ? (size_t)n : 0;
    if (done == input_len) {
        uv_close((uv_handle_t *)&p->in, on_close);
        return;
    }
    /* UV_EAGAIN, or the process is gone already (EPIPE): the write
     * reports it; either way stdin closes once it completes. */
    p->input = bt_xstrndup(input + done, input_len - done);
    b = uv_buf_init(p->input, (unsigned)(input_len - done));
    uv_write(&p->write_req, (uv_stream_t *)&p->in, &b, 1, on_written);
}

static void close_fds(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* Three pipes, [0] the child's end and [1] ours (stdin reversed), the
 * child's ends above 2 so that no dup2 onto 0-2 overwrites another. All
 * close-on-exec: the child keeps only its dup2'ed copies. */
static int open_pipes(int child[3], int ours[3])
{
    int fds[6] = {-1, -1, -1, -1, -1, -1};
    for (int i = 0; i < 3; i++)
        if (pipe2(fds + 2 * i, O_CLOEXEC) != 0) {
            int e = errno;
            close_fds(fds, 6);
            return -e;
        }
    child[0] = fds[0], ours[0] = fds[1];
    child[1] = fds[3], ours[1] = fds[2];
    child[2] = fds[5], ours[2] = fds[4];
    for (int i = 0; i < 3; i++) {
        if (child[i] > 2)
            continue;
        int fd = fcntl(child[i], F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
            int e = errno;
            close_fds(fds, 6);
            return -e;
        }
        close(child[i]);
        child[i] = fd;
        fds[i == 0 ? 0 : 2 * i + 1] = fd;
    }
    return 0;
}

static int spawn(run_reaper *r, char **argv, char **env, const char *cwd,
                 const int child[3], pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int i = 0; i < 3; i++)
        posix_spawn_file_actions_adddup2(&fa, child[i], i);
#ifdef __GLIBC__
#if __GLIBC_PREREQ(2, 34)
    /* Our own descriptors are all close-on-exec; this also keeps from the
     * function any that baton inherited open (from its parent) or that a
     * library opened without the flag (libcurl's sockets). One close_range
     * in the child. */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
#endif
    if (cwd)
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
    /* posix_spawnp searches PATH as uv_spawn's execvp did; glibc returns
     * the errno of a failed chdir or exec here (the child reports it
     * through the memory it shares with us before exiting). */
    int rc =
        posix_spawnp(pid, argv[0], &fa, &r->attr, argv, env ? env : environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

static void init_handles(uv_loop_t *loop, run_proc *p, const int ours[3])
{
    uv_pipe_init(loop, &p->in, 0);
    uv_pipe_init(loop, &p->out, 0);
    uv_pipe_init(loop, &p->err, 0);
    uv_timer_init(loop, &p->timer);
    p->in.data = p->out.data = p->err.data = p->timer.data = p;
    p->write_req.data = p;
    p->open_handles = 4;
    /* Our ends are plain pipe fds (libuv makes them non-blocking), so
     * opening them cannot fail. */
    int rc = uv_pipe_open(&p->in, ours[0]);
    rc |= uv_pipe_open(&p->out, ours[1]);
    rc |= uv_pipe_open(&p->err, ours[2]);
    assert(rc == 0);
    (void)rc;
}

int run_proc_start(run_reaper *r, char **argv, char **env, const char *cwd,
                   const char *input, size_t input_len, int64_t timeout_ms,
                   size_t max_out, run_proc_done_fn done, run_proc_log_fn log,
                   void *ud, run_proc **out, char **err)
{
    uv_loop_t *loop = r->sigchld.loop;
    int child[3] = {-1, -1, -1}, ours[3] = {-1, -1, -1};
    int rc = open_pipes(child, ours);
    if (rc != 0) {
        *err = bt_xasprintf("cannot start %s: %s", argv[0], uv_strerror(rc));
        return BT_EIO;
    }
    run_proc *p = bt_xcalloc(1, sizeof *p);
    bt_buf_init(&p->stdout_buf);
    bt_buf_init(&p->err_line);
    p->log = log;
    p->max_out = max_out;
    p->done = done;
    p->ud = ud;
    p->r = r;
    init_handles(loop, p, ours);
    rc = spawn(r, argv, env, cwd, child, &p->pid);
    close_fds(child, 3);
    if (rc != 0) {
        *err = bt_xasprintf("cannot start %s: %s", argv[0], uv_strerror(-rc));
        p->done = NULL;
        close_all(p);
        return BT_EIO;
    }
    p->next = r->procs;
    if (r->procs)
        r->procs->prev = p;
    else
        uv_ref((uv_handle_t *)&r->sigchld);
    r->procs = p;
    feed(p, input, input_len);
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
