#define _POSIX_C_SOURCE 200809L

#include "staging.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct staged {
    char *target;
    char *temp;
} staged;

/* Read by the signal handler: entries are complete before the count covers them. */
static staged *files;
static volatile sig_atomic_t nfiles;
static size_t cap;

/* Async-signal-safe: the handler calls it too. A file renamed already is
 * no longer there. */
static void unlink_staged(void)
{
    for (sig_atomic_t i = 0; i < nfiles; i++)
        unlink(files[i].temp);
}

static void on_signal(int sig)
{
    unlink_staged();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_signal(int sig)
{
    if (signal(sig, on_signal) == SIG_IGN)
        signal(sig, SIG_IGN);
}

void staging_init(void)
{
    /* Every signal whose default ends the process, as far as a handler can
     * run: a closed pipe on standard error (SIGPIPE) too. One the caller
     * ignores (nohup ignores SIGHUP) stays ignored; the command line ignores
     * SIGXFSZ itself, so that a write past a file size limit fails instead. */
    static const int fatal[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV,
                                SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGVTALRM, SIGPROF, SIGSYS, SIGPOLL,
#ifdef SIGSTKFLT
                                SIGSTKFLT,
#endif
#ifdef SIGPWR
                                SIGPWR,
#endif
    };
    for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
        catch_signal(fatal[i]);
#ifdef SIGRTMIN
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        catch_signal(sig);
#endif
}

/* Blocks every signal (that can be), the mask before in *before. */
static void block_signals(sigset_t *before)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, before);
}

static mode_t new_file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

FILE *stage_open(const char *target, const struct stat *existing)
{
    if ((size_t)nfiles == cap) {
        size_t bigger_cap = cap ? cap * 2 : 8;
        staged *bigger = malloc(bigger_cap * sizeof *bigger);
        if (!bigger)
            return NULL;
        if (nfiles)
            memcpy(bigger, files, (size_t)nfiles * sizeof *bigger);
        staged *old = files;
        files = bigger; /* the handler sees either array whole */
        free(old);
        cap = bigger_cap;
    }
    size_t n = strlen(target);
    char *temp = malloc(n + 32);
    char *name = strdup(target);
    if (!temp || !name) {
        free(temp);
        free(name);
        return NULL;
    }
    const char *slash = strrchr(target, '/');
    size_t dir = slash ? (size_t)(slash - target) + 1 : 0;
    /* .NAME.volpass-XXXXXX, or .volpass-XXXXXX where that would pass the 255
     * bytes a file name may have */
    bool long_name = n - dir > 255 - sizeof ".volpass-XXXXXX";
    snprintf(temp, n + 32, "%.*s.%s%svolpass-XXXXXX", (int)dir, target, long_name ? "" : target + dir,
             long_name ? "" : ".");
    /* A signal between making the file and listing it would leave it
     * behind: none is taken until both are done. */
    sigset_t before;
    block_signals(&before);
    int fd = mkstemp(temp);
    if (fd >= 0) {
        files[nfiles] = (staged){name, temp};
        nfiles++;
    }
    int made = errno;
    sigprocmask(SIG_SETMASK, &before, NULL);
    if (fd < 0) {
        free(temp);
        free(name);
        errno = made;
        return NULL;
    }
    /* The file it replaces keeps its owner and group, as far as the user may
     * give them (root may; others keep at least the group when they are in
     * it), as sed -i does; then its mode, which chown may have cut. */
    if (existing && fchown(fd, existing->st_uid, existing->st_gid) != 0 &&
        fchown(fd, (uid_t)-1, existing->st_gid) != 0)
        errno = 0; /* not allowed: the new file is the user's */
    mode_t mode = existing ? existing->st_mode & 07777 : new_file_mode();
    FILE *f = fchmod(fd, mode) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return f;
}

int stage_close(FILE *f)
{
    int failed = fflush(f) != 0 || fsync(fileno(f)) != 0;
    int saved = errno;
    if (fclose(f) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    errno = saved;
    return failed ? -1 : 0;
}

/* Called with every signal blocked: the handler must not read the list
 * while it is freed. */
static void forget(void)
{
    for (sig_atomic_t i = 0; i < nfiles; i++) {
        free(files[i].target);
        free(files[i].temp);
    }
    nfiles = 0;
    free(files);
    files = NULL;
    cap = 0;
}

/* A signal that comes while the targets are replaced waits until all are
 * (or, a rename failing, until the rest are removed): one taken between
 * two renames would leave some targets replaced and others not. */
int stage_commit(const char **failed)
{
    sigset_t before;
    block_signals(&before);
    int status = 0, saved = 0;
    for (sig_atomic_t i = 0; i < nfiles && !status; i++)
        if (rename(files[i].temp, files[i].target) != 0) {
            saved = errno;
            static char target[4096];
            snprintf(target, sizeof target, "%s", files[i].target);
            *failed = target;
            status = -1;
        }
    if (status)
        unlink_staged();
    forget();
    sigprocmask(SIG_SETMASK, &before, NULL);
    errno = saved;
    return status;
}

void stage_abort(void)
{
    sigset_t before;
    block_signals(&before);
    unlink_staged();
    forget();
    sigprocmask(SIG_SETMASK, &before, NULL);
}
