/* shell: the interactive prompt of ofctl and dp, on libedit's readline
 * interface (see shell.h). Lines are split by shell-words.c and run by the
 * program's own command table; this file only edits, completes and keeps
 * the history. */
#include "shell.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cfg.h"
#include "util.h"

/* How many lines the history file keeps. */
#define SHELL_HISTORY_LINES 1000

/* libedit's readline interface calls the completion functions without a
 * user pointer, so the shell being run and the candidates of the
 * completion in progress are the one piece of static state here. */
static struct {
    const struct shell_class *cls;      /* The running shell. */
    struct shell_candidates candidates; /* Matches of the current TAB. */
    size_t next;                        /* Next candidate to hand out. */
} completion;

/* The history file: $XDG_STATE_HOME/switchyard/PROGRAM_history, else
 * $HOME/.local/state/switchyard/PROGRAM_history; NULL without either. The
 * directory is created (mode 0700) when 'create'. */
static char *
history_path(const char *program, bool create)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    struct buf error = BUF_INITIALIZER;
    char *dir, *path;

    if (state && state[0] == '/') {
        dir = xasprintf("%s/switchyard", state);
    } else if (home && home[0] == '/') {
        dir = xasprintf("%s/.local/state/switchyard", home);
    } else {
        return NULL;
    }
    if (create && cfg_mkdir_p(dir, 0700, &error)) {
        buf_chomp(&error);
        fprintf(stderr, "%s: history not saved: %s\n", program, buf_cstr(&error));
        buf_uninit(&error);
        free(dir);
        return NULL;
    }
    path = xasprintf("%s/%s_history", dir, program);
    free(dir);
    return path;
}

/* Writes the history to a temporary file and renames it over the old one,
 * so that a crash or a second shell writing at the same time never leaves
 * a half-written file; mode 0600, since commands may name hosts and keys. */
static void
history_save(const char *program)
{
    char *path = history_path(program, true);
    char *tmp;
    mode_t old_umask;
    int error;

    if (!path) {
        return;
    }
    tmp = xasprintf("%s.tmp.%ld", path, (long) getpid());
    old_umask = umask(077);
    error = write_history(tmp);
    umask(old_umask);
    if (!error && rename(tmp, path)) {
        error = errno;
    }
    if (error) {
        fprintf(stderr, "%s: history not saved to %s: %s\n", program, path, strerror(error));
        unlink(tmp);
    }
    free(tmp);
    free(path);
}

static void
history_load(const char *program)
{
    char *path = history_path(program, false);

    stifle_history(SHELL_HISTORY_LINES);
    if (path) {
        read_history(path);     /* None yet is fine. */
        free(path);
    }
}

/* Hands out the candidates of the completion in progress, one per call. */
static char *
completion_next(const char *text, int state)
{
    if (!state) {
        completion.next = 0;
    }
    if (completion.next < completion.candidates.n) {
        /* libedit frees what it gets with free(). */
        return xstrdup(completion.candidates.words[completion.next++]);
    }
    return NULL;
}

/* The append character after a single match: none after "key=" or
 * "actions:" (a value follows), a space after a whole word. */
static int
completion_append_char(const struct shell_candidates *c)
{
    if (c->n == 1) {
        const char *w = c->words[0];
        char last = w[0] ? w[strlen(w) - 1] : '\0';

        return last == '=' || last == ':' || last == '(' ? '\0' : ' ';
    }
    return ' ';
}

/* rl_attempted_completion_function: 'text' is the part of the line from
 * 'start' to the cursor that TAB completes. */
static char **
completion_attempt(const char *text, int start, int end)
{
    const struct shell_class *cls = completion.cls;
    char *before = xstrndup(rl_line_buffer, start);
    struct buf error = BUF_INITIALIZER;
    const char *in_word = "";
    char **words;
    size_t n, n_split;

    rl_attempted_completion_over = 1;   /* Never fall back to file names. */
    shell_candidates_clear(&completion.candidates);
    shell_split(before, true, &words, &n_split, &error);
    n = n_split;
    /* Completing after a comma: the words so far end in the current word's
     * beginning ("ip,"), which is not a word of its own. */
    if (start > 0 && n > 0 && !strchr(" \t", before[start - 1])) {
        in_word = words[n - 1];
        n--;
    }
    cls->complete(cls->aux, n, words, in_word, &completion.candidates);
    shell_candidates_filter(&completion.candidates, text);
    rl_completion_append_character = completion_append_char(&completion.candidates);
    shell_words_free(words, n_split);
    buf_uninit(&error);
    free(before);
    return completion.candidates.n ? rl_completion_matches(text, completion_next) : NULL;
}

/* Runs one line. Sets '*quit' on "exit" and "quit"; returns the command's
 * exit status (2 for a line that does not split). */
static int
shell_run_line(const struct shell_class *cls, const char *line, bool *quit)
{
    struct buf error = BUF_INITIALIZER;
    char **words;
    size_t n;
    int status = 0;

    if (shell_split(line, false, &words, &n, &error)) {
        fprintf(stderr, "%s: %s\n", cls->program, buf_cstr(&error));
        buf_uninit(&error);
        return 2;
    }
    if (!n) {
        /* A blank line or a comment. */
    } else if (!strcmp(words[0], "exit") || !strcmp(words[0], "quit")) {
        *quit = true;
    } else if (!strcmp(words[0], "help") || !strcmp(words[0], "?")) {
        cls->help(cls->aux);
    } else {
        /* The command table's handlers take char *argv[] ending in NULL,
         * as main() gets it. */
        words = xrealloc(words, (n + 1) * sizeof *words);
        words[n] = NULL;
        status = cls->run(cls->aux, (int) n, words);
    }
    fflush(stdout);
    shell_words_free(words, n);
    buf_uninit(&error);
    return status;
}

/* Standard input is not a terminal: one command a line, no prompt. */
static int
shell_run_batch(const struct shell_class *cls)
{
    char *line = NULL;
    size_t allocated = 0;
    bool quit = false;
    int result = 0;

    while (!quit && getline(&line, &allocated, stdin) != -1) {
        int status = shell_run_line(cls, line, &quit);

        result = status ? status : result;
    }
    free(line);
    return result;
}

static int
shell_run_interactive(const struct shell_class *cls)
{
    bool quit = false;
    int result = 0;

    completion.cls = cls;
    rl_readline_name = cls->program;
    /* Flow text completes field by field: break words at commas too. */
    rl_basic_word_break_characters = " \t\n,";
    rl_completer_word_break_characters = (char *) rl_basic_word_break_characters;
    rl_attempted_completion_function = completion_attempt;
    history_load(cls->program);

    while (!quit) {
        char *line = readline(cls->prompt);
        int status;

        if (!line) {
            putchar('\n');      /* EOF (^D) at the prompt. */
            break;
        }
        if (line[strspn(line, " \t")]) {
            /* Saved at once: a shell ended by a signal keeps it too. */
            add_history(line);
            history_save(cls->program);
        }
        status = shell_run_line(cls, line, &quit);
        result = status ? status : result;
        free(line);
    }
    shell_candidates_clear(&completion.candidates);
    completion.cls = NULL;
    return result;
}

int
shell_run(const struct shell_class *cls)
{
    return isatty(STDIN_FILENO) ? shell_run_interactive(cls) : shell_run_batch(cls);
}
