/* volpass command line: argument parsing, file handling and messages around
 * the library in include/volpass.h, which does all the work. */
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explain.h"
#include "staging.h"
#include "volpass.h"

enum exit_code {
    EXIT_OK = 0,
    EXIT_UNVERIFIED = 1, /* verify found a broken hand-off or a problem */
    EXIT_USAGE = 2,
    /* 3 to 7 are the library's vp_status values: invalid input, unsupported
     * input, I/O failure, limit exceeded, out of memory. */
};

/* In two parts: C compilers need not take a string of over 4,095 characters. */
static const char *const usage_text[] = {
    "Usage: volpass [--input FILE] [--output FILE] --volume SPEC [options]\n"
    "       volpass --in-place FILE... --volume SPEC [options]\n"
    "       volpass verify ORIGINAL REWRITTEN [--json] [--max-depth N ...]\n"
    "\n"
    "Rewrites Argo workflows so that artifacts pass through one shared volume\n"
    "instead of an artifact repository. Reads FILE (or standard input) and\n"
    "writes the result to FILE (or standard output). A stream of several\n"
    "documents is accepted: Workflow, WorkflowTemplate, ClusterWorkflowTemplate\n"
    "and CronWorkflow documents are rewritten, any other passes through.\n"
    "\n"
    "Options:\n"
    "  -i, --input FILE        workflow to read (default, or '-': standard input)\n"
    "  -o, --output FILE       where to write (default, or '-': standard output);\n"
    "                          a regular FILE is written to a temporary file\n"
    "                          and renamed, so it is untouched when anything\n"
    "                          fails (a device or pipe is written directly)\n"
    "      --in-place          rewrite each FILE, a regular file, over itself,\n"
    "                          apart from the others; none changes unless every\n"
    "                          one is rewritten (a rename that fails leaves those\n"
    "                          before replaced)\n"
    "      --volume SPEC       the volume source, YAML or JSON, e.g.\n"
    "                          \"persistentVolumeClaim: {claimName: my-pvc}\";\n"
    "                          with its required settings, writable (not\n"
    "                          readOnly) and, for the volume scheme, shared\n"
    "                          between pods\n"
    "      --volume-claim-template SPEC\n"
    "                          instead of --volume: a PersistentVolumeClaim spec;\n"
    "                          each run gets its own claim (spec.volumeClaimTemplates),\n"
    "                          deleted by Argo afterwards (volume scheme)\n"
    "      --volume-name NAME  name of the volume in the workflow, a Kubernetes\n"
    "                          volume name (default data-storage, or the first\n"
    "                          free data-storage-N; volume scheme)\n"
    "      --path-prefix P     prefix of the data directories on the volume, as\n"
    "                          given (end it with /): a relative path without '..'\n"
    "                          or braces (default: artifact_data/)\n"
    "      --keep-artifact NAME  leave output artifacts named NAME as real\n"
    "                          artifacts (repeatable; e.g. mlpipeline-ui-metadata;\n"
    "                          volume scheme)\n"
    "      --scheme S          how to rewrite: volume (the default) passes data\n"
    "                          correctly whatever the file names; kfp reproduces\n"
    "                          Kubeflow Pipelines v1's rewriter exactly, faults\n"
    "                          and all, with a warning for each fault it sees\n"
    "      --explain[=FMT]     print to standard error what was done to each\n"
    "                          artifact and why, as text (the default) or json\n"
    "                          (volume scheme)\n"
    "      --format FMT        output format, yaml or json (default: the input's)\n"
    "      --verify            check the rewrite with verify before writing it; on\n"
    "                          failure print the report and write nothing\n"
    "      --max-depth N       deepest nesting accepted (default 1000, at most 10000)\n"
    "      --max-alias-nodes N nodes that YAML aliases may expand to, a scalar\n"
    "                          one more per 64 bytes of text (default 1000000)\n"
    "      --max-input-bytes N largest input accepted (default 1073741824, at most\n"
    "                          4294967295)\n"
    "  -h, --help              show this help\n"
    "      --version           show the version\n"
    "An option's value may also follow an '=': --volume-name=shared. Long options\n"
    "may be abbreviated: --vol for --volume, --in for --input, as in the reference.\n"
    "\n",
    "verify checks, statically, that REWRITTEN moves data as ORIGINAL does: every\n"
    "artifact hand-off of ORIGINAL must reach the consumer at its path through the\n"
    "same volume location, or stay a real artifact; it also reports problems\n"
    "(colliding mounts, missing volumes or parameters, ...). It prints one line\n"
    "per hand-off and problem and a summary; --json prints one JSON object.\n"
    "Either file may be '-', standard input.\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  verify found a broken hand-off or a problem\n"
    "  2  usage error\n"
    "  3  invalid input (YAML, UTF-8, duplicate key, wrong type, a workflow\n"
    "     Argo refuses) or a bad --volume, --volume-claim-template,\n"
    "     --volume-name or --path-prefix\n"
    "  4  input the scheme cannot convert\n"
    "  5  I/O error\n"
    "  6  a safety limit exceeded\n"
    "  7  out of memory\n"
    "Errors and warnings go to standard error as FILE:LINE:COLUMN: error: MESSAGE\n"
    "(or warning:), without LINE:COLUMN where there is no position to give.\n",
};

typedef struct cli {
    const char *input;
    const char *output;
    vp_load_options load;
    vp_rewrite_options rewrite;
    vp_format format;
    bool verify;          /* --verify: check the rewrite before writing it */
    bool verify_command;  /* volpass verify ORIGINAL REWRITTEN */
    bool json;
    const char *files[2]; /* verify's ORIGINAL and REWRITTEN */
    enum { EXPLAIN_NONE, EXPLAIN_TEXT, EXPLAIN_JSON } explain;
    const char **keep;    /* --keep-artifact values */
    bool in_place;
    const char **in_place_files; /* FILE arguments of --in-place */
    int nfiles;
} cli;

/* Writes text to standard error with its control characters as \xNN:
 * names from a workflow or the command line must not drive the terminal
 * or the CI log that shows them. */
static void put_text(const char *text)
{
    const unsigned char *c = (const unsigned char *)text;
    while (*c) {
        size_t run = 0; /* printable bytes, written at once */
        while (c[run] && c[run] >= 0x20 && c[run] != 0x7f)
            run++;
        fwrite(c, 1, run, stderr);
        c += run;
        if (*c)
            fprintf(stderr, "\\x%02x", *c++);
    }
}

/* The message in full, however long the argument it quotes (out of
 * memory, its format stands in for it). */
static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *message = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (message)
        vsnprintf(message, (size_t)len + 1, fmt, again);
    va_end(again);
    va_end(ap);
    fprintf(stderr, "volpass: error: ");
    put_text(message ? message : fmt);
    fprintf(stderr, "\nTry 'volpass --help' for more information.\n");
    free(message);
    return EXIT_USAGE;
}

/* Sets an option that takes one value: given twice, which was meant is unknown. */
static int set_once(const char **slot, const char *value, const char *option)
{
    if (*slot)
        return usage_error("%s is given twice ('%s' and '%s')", option, *slot, value);
    *slot = value;
    return 0;
}

/* A whole number from 1 to `max`, digits only (strtoull alone would take " -1"). */
static int parse_size(const char *text, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || errno || *end || v == 0 || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* The long options: those that take no value (flags), and the three of the
 * reference's command line, which its abbreviations stand for. */
static const struct long_option {
    const char *name;
    bool flag, reference;
} long_options[] = {
    {"--input", false, true}, {"--output", false, true}, {"--volume", false, true},
    {"--volume-claim-template", false, false}, {"--volume-name", false, false}, {"--path-prefix", false, false},
    {"--keep-artifact", false, false}, {"--scheme", false, false}, {"--explain", false, false},
    {"--format", false, false}, {"--verify", true, false}, {"--in-place", true, false}, {"--max-depth", false, false},
    {"--max-alias-nodes", false, false}, {"--max-input-bytes", false, false}, {"--json", true, false},
    {"--help", true, false}, {"--version", true, false}};

/* The long option that `arg` ("--name" or "--name=VALUE") names: the one
 * it spells, else the only one it begins (--volume-n for --volume-name, as
 * getopt_long and the reference's argparse take abbreviations), else the
 * only one of the reference's it begins (its scripts' --in and --vol); NULL
 * when there is none, after a usage error in *rc for an ambiguous one or a
 * flag given a value. */
static const char *long_name(const char *arg, int *rc)
{
    size_t n = strcspn(arg, "=");
    const struct long_option *found = NULL, *reference = NULL;
    size_t count = 0, references = 0;
    for (size_t k = 0; n > 2 && k < sizeof long_options / sizeof *long_options; k++) {
        const struct long_option *o = &long_options[k];
        if (strncmp(o->name, arg, n) != 0)
            continue;
        if (o->name[n] == '\0') {
            found = o, count = 1;
            break;
        }
        found = o, count++;
        if (o->reference)
            reference = o, references++;
    }
    const struct long_option *o = count == 1 ? found : count > 1 && references == 1 ? reference : NULL;
    if (o && arg[n] == '=' && o->flag) {
        *rc = usage_error("%s takes no value: '%s'", o->name, arg);
        return NULL;
    }
    if (o)
        return o->name;
    if (count > 1)
        *rc = usage_error("'%.*s' abbreviates more than one option: write it whole", (int)n, arg);
    return NULL;
}

/* Whether the option argv names, `arg_name` (or NULL), is `name`. */
static bool is_option(const char *arg_name, const char *name)
{
    return arg_name && strcmp(arg_name, name) == 0;
}

/* The options that go together, and those that must not, once all are
 * read (`verify_files`: how many files verify was given). */
static int check_combinations(const cli *c, int verify_files)
{
    if (c->verify_command) {
        if (verify_files != 2)
            return usage_error("%s", "verify needs two files: ORIGINAL and REWRITTEN");
        if (strcmp(c->files[0], "-") == 0 && strcmp(c->files[1], "-") == 0)
            return usage_error("%s", "verify reads one of ORIGINAL and REWRITTEN from standard input, not both");
        return 0;
    }
    if (c->nfiles && !c->in_place)
        return usage_error("'%s': files are given with --in-place, or one with --input", c->in_place_files[0]);
    if (c->in_place && c->nfiles == 0)
        return usage_error("%s", "--in-place needs the files to rewrite");
    for (int k = 0; c->in_place && k < c->nfiles; k++)
        if (strcmp(c->in_place_files[k], "-") == 0)
            return usage_error("%s", "'-' (standard input) cannot be rewritten in place: read it with --input -");
    if (c->in_place && (c->input || c->output))
        return usage_error("%s", "--in-place takes the files to rewrite, and no --input or --output");
    if (c->rewrite.scheme == VP_SCHEME_KFP && (c->explain != EXPLAIN_NONE || c->rewrite.keep_artifacts_count ||
                                                c->rewrite.volume_name || c->rewrite.volume_claim_template))
        return usage_error("%s", "--explain, --keep-artifact, --volume-name and --volume-claim-template belong to "
                                 "the volume scheme; the kfp scheme does what the reference does");
    if (c->rewrite.volume && c->rewrite.volume_claim_template)
        return usage_error("%s", "--volume and --volume-claim-template exclude each other");
    if (c->rewrite.volume_claim_template)
        return 0;
    if (!c->rewrite.volume)
        return usage_error("%s", "--volume is required, e.g. --volume \"persistentVolumeClaim: {claimName: my-pvc}\"");
    return 0;
}

/* Matches option `name` given as "NAME VALUE" or "NAME=VALUE" (arg_name is
 * the option argv[*i] names), or as its two-character alias, "-a VALUE" or
 * "-aVALUE"; advances *i past what it used. */
static const char *option_value(int argc, char **argv, int *i, const char *arg_name, const char *name,
                                const char *alias, int *missing)
{
    const char *arg = argv[*i], *eq = strchr(arg, '=');
    bool named = is_option(arg_name, name);
    if (named && eq)
        return eq + 1;
    if (alias && strncmp(arg, alias, 2) == 0 && arg[2]) /* -iFILE */
        return arg + 2;
    if (!named && !(alias && strcmp(arg, alias) == 0))
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

static int parse_args(int argc, char **argv, cli *c)
{
    static const char *const size_options[] = {"--max-depth", "--max-alias-nodes", "--max-input-bytes"};
    size_t *const size_targets[] = {&c->load.max_depth, &c->load.max_alias_nodes, &c->load.max_input_bytes};
    const size_t size_limits[] = {VP_MAX_DEPTH_LIMIT, SIZE_MAX, VP_MAX_INPUT_BYTES_LIMIT};
    const char *scheme = NULL, *format = NULL, *sizes[3] = {NULL, NULL, NULL}; /* as given, for set_once */
    int first = 1, nfiles = 0;
    if (argc > 1 && strcmp(argv[1], "verify") == 0) {
        c->verify_command = true;
        first = 2;
    }
    bool bare_explain = false; /* the argument before was --explain, with no '=' */
    bool operands_only = false; /* after "--", as getopt has it: every argument is a file */
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i], *v, *name = NULL;
        int missing = 0, rc = 0;
        bool after_explain = bare_explain;
        bare_explain = false;
        if (!operands_only && strcmp(arg, "--") == 0) {
            operands_only = true;
            continue;
        }
        bool operand = operands_only || arg[0] != '-' || strcmp(arg, "-") == 0;
        if (!operand && strncmp(arg, "--", 2) == 0 && !(name = long_name(arg, &rc)) && rc)
            return rc;
        if (c->verify_command && operand) {
            if (nfiles == 2)
                return usage_error("verify takes two files, ORIGINAL and REWRITTEN; '%s' is a third", arg);
            c->files[nfiles++] = arg;
            continue;
        }
        if (c->verify_command && is_option(name, "--json")) {
            c->json = true;
            continue;
        }
        if (!c->verify_command && is_option(name, "--verify")) {
            c->verify = true;
            continue;
        }
        if (!c->verify_command && is_option(name, "--in-place")) {
            c->in_place = true;
            continue;
        }
        if (!c->verify_command && operand) {
            if (after_explain && (strcmp(arg, "json") == 0 || strcmp(arg, "text") == 0))
                return usage_error("--explain takes its format after '=': --explain=%s", arg);
            c->in_place_files[c->nfiles++] = arg; /* argc bounds the count */
            continue;
        }
        if (strcmp(arg, "-h") == 0 || is_option(name, "--help")) {
            for (size_t k = 0; k < sizeof usage_text / sizeof *usage_text; k++)
                fputs(usage_text[k], stdout);
            return -1;
        }
        if (is_option(name, "--version")) {
            printf("volpass %s\n", vp_version());
            return -1;
        }
        if (c->verify_command && !(name && strncmp(name, "--max-", 6) == 0))
            return usage_error("verify takes two files, --json and the --max-* limits, not '%s'", arg);
        if ((v = option_value(argc, argv, &i, name, "--input", "-i", &missing))) {
            if (set_once(&c->input, v, "--input") != 0)
                return EXIT_USAGE;
        } else if ((v = option_value(argc, argv, &i, name, "--output", "-o", &missing))) {
            if (set_once(&c->output, v, "--output") != 0)
                return EXIT_USAGE;
        } else if ((v = option_value(argc, argv, &i, name, "--volume", NULL, &missing))) {
            if (set_once(&c->rewrite.volume, v, "--volume") != 0)
                return EXIT_USAGE;
        } else if ((v = option_value(argc, argv, &i, name, "--path-prefix", NULL, &missing))) {
            if (set_once(&c->rewrite.path_prefix, v, "--path-prefix") != 0)
                return EXIT_USAGE;
        } else if ((v = option_value(argc, argv, &i, name, "--scheme", NULL, &missing))) {
            if (set_once(&scheme, v, "--scheme") != 0)
                return EXIT_USAGE;
            if (strcmp(v, "kfp") == 0)
                c->rewrite.scheme = VP_SCHEME_KFP;
            else if (strcmp(v, "volume") == 0)
                c->rewrite.scheme = VP_SCHEME_VOLUME;
            else
                return usage_error("unknown scheme '%s' (known: volume, kfp)", v);
        } else if ((v = option_value(argc, argv, &i, name, "--volume-claim-template", NULL, &missing))) {
            if (set_once(&c->rewrite.volume_claim_template, v, "--volume-claim-template") != 0)
                return EXIT_USAGE;
        } else if ((v = option_value(argc, argv, &i, name, "--volume-name", NULL, &missing))) {
            if (set_once(&c->rewrite.volume_name, v, "--volume-name") != 0)
                return EXIT_USAGE;
        } else if ((v = option_value(argc, argv, &i, name, "--keep-artifact", NULL, &missing))) {
            c->keep[c->rewrite.keep_artifacts_count++] = v; /* argc bounds the count */
        } else if (is_option(name, "--explain")) {
            const char *eq = strchr(arg, '=');
            const char *how = eq ? eq + 1 : "text";
            bare_explain = !eq;
            if (c->explain != EXPLAIN_NONE)
                return usage_error("%s", "--explain is given twice");
            if (strcmp(how, "text") != 0 && strcmp(how, "json") != 0)
                return usage_error("unknown --explain format '%s' (known: text, json)", how);
            c->explain = strcmp(how, "json") == 0 ? EXPLAIN_JSON : EXPLAIN_TEXT;
        } else if ((v = option_value(argc, argv, &i, name, "--format", NULL, &missing))) {
            if (set_once(&format, v, "--format") != 0)
                return EXIT_USAGE;
            if (strcmp(v, "yaml") == 0)
                c->format = VP_FORMAT_YAML;
            else if (strcmp(v, "json") == 0)
                c->format = VP_FORMAT_JSON;
            else
                return usage_error("unknown format '%s' (known: yaml, json)", v);
        } else if (!missing) {
            size_t k = 0;
            while (k < 3 && !(v = option_value(argc, argv, &i, name, size_options[k], NULL, &missing)) && !missing)
                k++;
            if (k == 3)
                return usage_error("unknown argument '%s'", arg);
            if (v && set_once(&sizes[k], v, size_options[k]) != 0)
                return EXIT_USAGE;
            if (v && parse_size(v, size_limits[k], size_targets[k]) != 0)
                return usage_error("%s takes a whole number from 1 to %zu", size_options[k], size_limits[k]);
        }
        if (missing)
            return usage_error("%s needs a value", arg);
    }
    return check_combinations(c, nfiles);
}

static int is_stdio(const char *path)
{
    return !path || strcmp(path, "-") == 0;
}

/* With --explain=json, where errors go instead of being printed: entries of
 * the one JSON array standard error holds. Set for the run, once the
 * command line is read (its usage errors are printed). */
static explained *error_entries;

/* FILE:LINE:COLUMN: SEVERITY: MESSAGE, leaving out what is not known:
 * FILE when it is NULL or "", LINE:COLUMN when line is 0. */
static void print_message(const char *file, unsigned long line, unsigned long column, const char *severity,
                          const char *message)
{
    bool named = file && *file;
    put_text(named ? file : "volpass");
    if (named && line)
        fprintf(stderr, ":%lu:%lu", line, column);
    fprintf(stderr, ": %s: ", severity);
    put_text(message);
    fputc('\n', stderr);
}

static void report_error(const char *file, unsigned long line, unsigned long column, const char *message)
{
    if (error_entries)
        explain_error(error_entries, file, line, column, message);
    else
        print_message(file, line, column, "error", message);
}

static void print_error(const vp_error *e)
{
    report_error(vp_error_file(e), vp_error_line(e), vp_error_column(e), vp_error_message(e));
}

static void print_warning(const vp_error *w, void *ctx)
{
    (void)ctx;
    print_message(vp_error_file(w), vp_error_line(w), vp_error_column(w), "warning", vp_error_message(w));
}

/* An error about a whole file: PATH: error: WHAT: the cause errno gives. */
static int io_error(const char *what, const char *path)
{
    int cause = errno;
    char message[256];
    snprintf(message, sizeof message, "%s: %s", what, strerror(cause));
    report_error(path, 0, 0, message);
    return cause == ENOMEM ? VP_ENOMEM : VP_EIO; /* a buffer that cannot grow is no I/O error */
}

/* Reads all of `in`; stops early once more than `limit` bytes came, so a
 * huge input is refused without being held in memory. */
static int read_all(FILE *in, size_t limit, char **data, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    for (;;) {
        if (n == cap) {
            if (n > limit)
                break;
            size_t bigger_cap = cap * 2 > limit ? limit + 1 : cap * 2; /* one byte past the limit refuses it */
            char *bigger = realloc(buf, bigger_cap);
            if (!bigger) {
                free(buf);
                return -1;
            }
            buf = bigger;
            cap = bigger_cap;
        }
        size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (got == 0) {
            if (ferror(in)) {
                free(buf);
                return -1;
            }
            break;
        }
    }
    *data = buf;
    *len = n;
    return 0;
}

/* An input's bytes. A regular file is mapped rather than read: the parser
 * then reads the page cache directly, which saves copying the whole input
 * (some 5% of the run time on a large workflow). A file that something else
 * truncates while volpass reads it makes it die of SIGBUS, with no output
 * written (see staging.h); volpass itself never truncates its inputs, even
 * when it rewrites them in place (it renames a new file over them). */
typedef struct input_text {
    char *data;
    size_t len;
    bool mapped;
} input_text;

static int input_read(FILE *in, size_t limit, input_text *out)
{
    struct stat st;
    out->mapped = false;
    /* Standard input may be a file that something before volpass read part of. */
    bool whole_file = fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
                      lseek(fileno(in), 0, SEEK_CUR) == 0;
    if (whole_file && (uintmax_t)st.st_size > limit) { /* refused unread */
        out->data = NULL;
        out->len = limit + 1;
        return 0;
    }
    if (whole_file) {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(in), 0);
        if (map != MAP_FAILED) {
            out->data = map;
            out->len = (size_t)st.st_size;
            out->mapped = true;
            return 0;
        }
    }
    return read_all(in, limit, &out->data, &out->len);
}

static void input_free(input_text *in)
{
    if (in->mapped)
        munmap(in->data, in->len);
    else
        free(in->data);
}

/* ---- output ------------------------------------------------------------ */

static int write_file(const char *data, size_t len, void *ctx)
{
    return fwrite(data, 1, len, (FILE *)ctx) == len ? 0 : -1;
}

/* Emits into `out` (called `name`) and flushes it: EXIT_OK, or the exit
 * status after saying why not (what the output cannot hold, or I/O). */
static int emit_to(const vp_stream *s, vp_format format, FILE *out, const char *name)
{
    vp_error *err = NULL;
    errno = 0;
    vp_status st = vp_stream_emit(s, format, write_file, out, &err);
    if (st != VP_OK && st != VP_EIO) {
        print_error(err);
        vp_error_free(err);
        return st;
    }
    vp_error_free(err);
    if (st == VP_OK && fflush(out) == 0)
        return EXIT_OK;
    if (errno == 0)
        errno = EIO;
    return io_error("cannot write", name);
}

static bool names_open_file(const char *path)
{
    return strncmp(path, "/proc/", 6) == 0 || strncmp(path, "/dev/fd/", 8) == 0 || strncmp(path, "/dev/std", 8) == 0;
}

/* Whether `path` names an open file of the process (/dev/stdout,
 * /dev/fd/N, /proc/self/fd/N, or a symbolic link that leads through
 * /proc), which must be written, not replaced; *link is set when it is a
 * symbolic link at all, and `reached` (of PATH_MAX bytes) holds the name
 * of the open file it leads to. */
static bool open_file_of_process(const char *path, bool *link, char *reached)
{
    char next[PATH_MAX];
    snprintf(reached, PATH_MAX, "%s", path);
    *link = false;
    struct stat st;
    for (int hops = 0; hops < 40 && !names_open_file(reached) && lstat(reached, &st) == 0 && S_ISLNK(st.st_mode);
         hops++) {
        *link = true;
        ssize_t n = readlink(reached, next, sizeof next - 1);
        if (n < 0)
            return false;
        next[n] = '\0';
        char *slash = strrchr(reached, '/');
        if (next[0] != '/' && slash) /* relative to the link's directory */
            snprintf(slash + 1, PATH_MAX - (size_t)(slash + 1 - reached), "%s", next);
        else
            memcpy(reached, next, (size_t)n + 1);
    }
    return names_open_file(reached);
}

/* The descriptor that /dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N,
 * /proc/self/fd/N or /proc/PID/fd/N (PID volpass's own) names, or -1. */
static int descriptor_named(const char *path)
{
    if (strcmp(path, "/dev/stdin") == 0)
        return 0;
    if (strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    char own[64];
    snprintf(own, sizeof own, "/proc/%ld/fd/", (long)getpid());
    const char *digits = strncmp(path, "/dev/fd/", 8) == 0        ? path + 8
                         : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14
                         : strncmp(path, own, strlen(own)) == 0     ? path + strlen(own)
                                                                    : NULL;
    if (!digits || !*digits || strspn(digits, "0123456789") != strlen(digits) || strlen(digits) > 6)
        return -1;
    return atoi(digits);
}

/* A stream of its own over descriptor fd, a duplicate (closing it leaves fd
 * open), or NULL with errno set. */
static FILE *duplicate_stream(int fd)
{
    int own = dup(fd);
    FILE *f = own >= 0 ? fdopen(own, "w") : NULL;
    if (!f && own >= 0) {
        int saved = errno;
        close(own);
        errno = saved;
    }
    return f;
}

/* A regular file (or a new one) is staged and appears when the run commits,
 * through a symbolic link the file it leads to; standard output, a device,
 * a pipe or an open file of the process (/dev/stdout) is written directly
 * (the rewrite is complete before the first byte goes out). Written in
 * place, a file must be a regular one, to change with the others or not
 * at all (and a FIFO, opened to write, would wait for a reader for ever). */
static int emit_output(const vp_stream *s, vp_format format, const char *target, bool in_place)
{
    struct stat st;
    char reached[PATH_MAX];
    bool link = false, direct = is_stdio(target) || open_file_of_process(target, &link, reached);
    int exists = !direct && stat(target, &st) == 0;
    if (in_place && (direct || (exists && !S_ISREG(st.st_mode)))) {
        report_error(target, 0, 0, "cannot rewrite it in place: --in-place rewrites regular files only");
        return VP_EIO;
    }
    if (!direct && (!exists || S_ISREG(st.st_mode))) {
        /* Through a symbolic link, the file it leads to is replaced, or made
         * (a link to no file yet, as `>` makes it); a loop is refused. */
        struct stat end;
        if (link && lstat(reached, &end) == 0 && S_ISLNK(end.st_mode)) {
            errno = ELOOP;
            return io_error("cannot follow the symbolic link", target);
        }
        FILE *out = stage_open(link ? reached : target, exists ? &st : NULL);
        if (!out)
            return io_error("cannot create a temporary file beside it", target);
        int rc = emit_to(s, format, out, target);
        if (rc != EXIT_OK) {
            fclose(out);
            return rc;
        }
        return stage_close(out) == 0 ? EXIT_OK : io_error("cannot write", target);
    }
    /* An open file of the process by any name (/dev/stdout, /dev/fd/3) is
     * written through its own descriptor, at its offset and in its mode
     * (opened to append, say); anything else written directly (a device, a
     * pipe, a file reached through /proc) is opened for writing. */
    int fd = is_stdio(target) ? 1 : descriptor_named(reached);
    const char *name = is_stdio(target) ? "<stdout>" : target;
    FILE *out = fd == 1 ? stdout : fd >= 0 ? duplicate_stream(fd) : fopen(target, "w");
    if (!out)
        return io_error("cannot open", name);
    int rc = emit_to(s, format, out, name);
    if (out != stdout && fclose(out) != 0 && rc == EXIT_OK)
        rc = io_error("cannot write", name);
    return rc;
}

/* Makes every staged output appear, or, after a failure, none. */
static int finish_outputs(int rc)
{
    const char *failed = NULL;
    if (rc != EXIT_OK)
        stage_abort();
    else if (stage_commit(&failed) != 0)
        rc = io_error("cannot replace", failed);
    return rc;
}

/* Reads and parses one input; prints the error and returns the exit code on failure. */
static int load_input(const cli *c, const char *path, vp_stream **out, vp_stream **copy)
{
    const char *name = is_stdio(path) ? "<stdin>" : path;
    FILE *in = is_stdio(path) ? stdin : fopen(path, "rb");
    if (!in)
        return io_error("cannot open", name);
    input_text text;
    size_t limit = c->load.max_input_bytes ? c->load.max_input_bytes : VP_DEFAULT_MAX_INPUT_BYTES;
    int rc = input_read(in, limit, &text);
    if (in != stdin)
        fclose(in);
    if (rc != 0)
        return io_error("cannot read", name);
    if (!text.mapped && text.len > limit) { /* read_all stopped, or never started: its length says nothing */
        input_free(&text);
        char message[128];
        snprintf(message, sizeof message, "input exceeds the limit of %zu bytes (raise --max-input-bytes to "
                 "accept it)", limit);
        report_error(name, 0, 0, message);
        return VP_ELIMIT;
    }
    vp_load_options load = c->load;
    load.filename = name;
    vp_error *err = NULL;
    vp_status st = vp_stream_load(out, text.data, text.len, &load, &err);
    if (st == VP_OK && copy && (st = vp_stream_load(copy, text.data, text.len, &load, &err)) != VP_OK)
        vp_stream_free(*out);
    input_free(&text);
    if (st != VP_OK) {
        print_error(err);
        vp_error_free(err);
    }
    return (int)st;
}

/* Verifies and prints the report to `out` (always, or only when it fails). */
static int verify_and_report(const cli *c, const vp_stream *original, const vp_stream *rewritten, FILE *out,
                  bool only_failures)
{
    vp_verify_report *report = NULL;
    vp_error *err = NULL;
    vp_status st = vp_verify(original, rewritten, &report, &err);
    if (st != VP_OK) {
        print_error(err);
        vp_error_free(err);
        return (int)st;
    }
    vp_verify_summary sum = vp_verify_report_summary(report);
    bool ok = sum.broken == 0 && sum.problems == 0;
    int rc = ok ? EXIT_OK : EXIT_UNVERIFIED;
    if (!ok || !only_failures) {
        st = vp_verify_report_write(report, c->json ? VP_REPORT_JSON : VP_REPORT_TEXT, write_file, out, &err);
        if (st != VP_OK || fflush(out) != 0) {
            vp_error_free(err);
            rc = io_error("cannot write", out == stdout ? "<stdout>" : "<stderr>");
        }
    }
    vp_verify_report_free(report);
    return rc;
}

static int run_verify(const cli *c)
{
    vp_stream *original = NULL, *rewritten = NULL;
    int rc = load_input(c, c->files[0], &original, NULL);
    if (rc == EXIT_OK)
        rc = load_input(c, c->files[1], &rewritten, NULL);
    if (rc == EXIT_OK)
        rc = verify_and_report(c, original, rewritten, stdout, false);
    vp_stream_free(original);
    vp_stream_free(rewritten);
    return rc;
}

/* Writes the entries of --explain to standard error. */
static int write_explained(const cli *c, explained *all)
{
    error_entries = NULL; /* from here on errors are printed */
    int rc = explain_write(all, c->explain == EXPLAIN_JSON ? VP_REPORT_JSON : VP_REPORT_TEXT, write_file, stderr);
    bool written = rc == 0 && fflush(stderr) == 0 && !ferror(stderr); /* standard error is buffered */
    return written ? EXIT_OK : io_error("cannot write", "<stderr>");
}

/* Whether `file`, where a warning is, is one of the options whose values
 * the library may warn of (--volume's text, --keep-artifact's names), and
 * not a file of --in-place that happens to be named so. */
static bool names_option(const cli *c, const char *file)
{
    static const char *const warned_of[] = {"--volume", "--volume-claim-template", "--volume-name", "--path-prefix",
                                            "--keep-artifact"};
    bool option = false;
    for (size_t k = 0; k < sizeof warned_of / sizeof *warned_of && !option; k++)
        option = strcmp(warned_of[k], file) == 0;
    for (int i = 0; i < c->nfiles && option; i++)
        option = strcmp(c->in_place_files[i], file) != 0;
    return option;
}

/* Where one file's warnings go. With --in-place, every file's rewrite
 * gives the warnings about an option alike, and one that says "no
 * template has an output artifact named x" holds of the files together
 * only when it holds of each: those are held in `option_warnings`, and
 * given once after the rewrites, when every rewrite gave them (run). */
typedef struct warning_sink {
    const cli *c;
    vp_warning_fn give; /* print_warning, or explain_warning with JSON */
    void *give_ctx;
    explained *option_warnings; /* NULL: given at once too */
} warning_sink;

static void sort_warning(const vp_error *w, void *ctx)
{
    const warning_sink *sink = ctx;
    if (sink->option_warnings && names_option(sink->c, vp_error_file(w)))
        explain_warning(w, sink->option_warnings);
    else
        sink->give(w, sink->give_ctx);
}

/* Gives the option warnings that every rewrite gave: as entries of `all`
 * with JSON, else printed. */
static void give_held(const cli *c, explained *held, explained *all)
{
    for (size_t i = 0; i < held->count; i++) {
        const vp_decision *d = &held->items[i];
        if (c->explain == EXPLAIN_JSON)
            explain_decision(d, all);
        else
            print_message(d->file, d->line, d->column, "warning", d->detail);
    }
    all->oom |= held->oom;
    explain_free(held);
}

/* Rewrites one input into `output`; with --explain, its decisions join
 * `all`; warnings about options go to `option_warnings` when it is not NULL. */
static int rewrite_one(const cli *c, const char *input, const char *output, explained *all,
                       explained *option_warnings)
{
    vp_stream *s = NULL, *original = NULL;
    int rc = load_input(c, input, &s, c->verify ? &original : NULL);
    if (rc != EXIT_OK)
        return rc;
    vp_error *err = NULL;
    vp_rewrite_options opts = c->rewrite;
    if (c->explain != EXPLAIN_NONE) {
        opts.on_decision = explain_decision;
        opts.decision_ctx = all;
    }
    warning_sink sink = {c, print_warning, NULL, option_warnings};
    if (c->explain == EXPLAIN_JSON)
        sink = (warning_sink){c, explain_warning, all, option_warnings};
    opts.on_warning = sort_warning;
    opts.warning_ctx = &sink;
    vp_status st = vp_rewrite(s, &opts, &err);
    if (st != VP_OK) {
        print_error(err);
        vp_error_free(err);
        rc = (int)st;
    } else if (c->verify) {
        rc = verify_and_report(c, original, s, stderr, true);
    }
    if (rc == EXIT_OK)
        rc = emit_output(s, c->format, output, c->in_place);
    vp_stream_free(s);
    vp_stream_free(original);
    return rc;
}

/* With --in-place every file is rewritten over itself, and all of them
 * change only if every one succeeded. --explain explains them all at once
 * (one JSON array), as far as they got, before the outputs appear: when
 * it cannot be written, none does (so that a failing rename, which is
 * rare, is the one error that comes as text after the JSON array). */
static int run(const cli *c)
{
    int rc = EXIT_OK;
    explained all = {NULL, 0, 0, false};
    if (c->explain == EXPLAIN_JSON)
        error_entries = &all;
    if (c->nfiles == 0)
        rc = rewrite_one(c, c->input, c->output, &all, NULL);
    explained held = {NULL, 0, 0, false}; /* the option warnings of every file so far */
    for (int i = 0; i < c->nfiles && rc == EXIT_OK; i++) {
        explained this_file = {NULL, 0, 0, false};
        rc = rewrite_one(c, c->in_place_files[i], c->in_place_files[i], &all, c->nfiles > 1 ? &this_file : NULL);
        if (i == 0) {
            held = this_file;
        } else {
            explain_keep_common(&held, &this_file);
            explain_free(&this_file);
        }
    }
    give_held(c, &held, &all);
    if (c->explain != EXPLAIN_NONE) {
        int written = write_explained(c, &all);
        if (rc == EXIT_OK)
            rc = written;
    }
    return finish_outputs(rc);
}

int main(int argc, char **argv)
{
    /* A message is written in pieces (put_text): one write per line, not
     * per piece, when thousands of warnings come. */
    static char message_buffer[BUFSIZ];
    setvbuf(stderr, message_buffer, _IOLBF, sizeof message_buffer);
    cli c = {NULL, NULL, VP_LOAD_OPTIONS_INIT, VP_REWRITE_OPTIONS_INIT, VP_FORMAT_AUTO,
             false, false, false, {NULL, NULL}, EXPLAIN_NONE, NULL, false, NULL, 0};
    c.keep = calloc((size_t)argc + 1, sizeof *c.keep);
    c.in_place_files = calloc((size_t)argc + 1, sizeof *c.in_place_files);
    if (!c.keep || !c.in_place_files) {
        free(c.keep);
        free(c.in_place_files);
        return VP_ENOMEM;
    }
    c.rewrite.keep_artifacts = c.keep;
    int rc = parse_args(argc, argv, &c);
    if (rc != 0) {
        free(c.keep);
        free(c.in_place_files);
        if (rc < 0) /* --help or --version, written: standard output may be full or closed */
            rc = fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : io_error("cannot write", "<stdout>");
        return rc;
    }
    staging_init();
    signal(SIGXFSZ, SIG_IGN); /* past a file size limit, a write fails (EFBIG) and volpass says so */
    rc = c.verify_command ? run_verify(&c) : run(&c);
    free(c.keep);
    free(c.in_place_files);
    return rc;
}
