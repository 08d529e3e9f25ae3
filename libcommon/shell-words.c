/* shell-words: command-line splitting and completion candidates for the
 * interactive shell (see shell-words.h; the line editor is in shell.c). */
#include "shell-words.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

/* The words being built by shell_split(). */
struct split_state {
    char **words;               /* Finished words. */
    size_t n;                   /* Number of finished words. */
    size_t allocated;           /* Capacity of 'words'. */
    struct buf word;            /* The word being read. */
    bool in_word;               /* 'word' has started (maybe empty: ""). */
};

static void
split_finish_word(struct split_state *s)
{
    if (s->in_word) {
        s->words = x2nrealloc(s->words, &s->allocated, s->n + 1, sizeof *s->words);
        s->words[s->n++] = xstrdup(buf_cstr(&s->word));
        buf_clear(&s->word);
        s->in_word = false;
    }
}

/* Reads a quoted string starting after the opening 'quote' at '*p'.
 * Returns false at the end of the line before the closing quote. */
static bool
split_quoted(struct split_state *s, const char **p, char quote)
{
    const char *c = *p;

    for (; *c && *c != quote; c++) {
        if (quote == '"' && c[0] == '\\' && (c[1] == '"' || c[1] == '\\')) {
            c++;
        }
        buf_put_char(&s->word, *c);
    }
    *p = c;
    return *c == quote;
}

int
shell_split(const char *line, bool partial, char ***words, size_t *n, struct buf *error)
{
    struct split_state s = { .word = BUF_INITIALIZER };
    const char *p = line;
    const char *problem = NULL;

    for (; *p && !problem; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            split_finish_word(&s);
        } else if (*p == '#' && !s.in_word) {
            break;
        } else if (*p == '\'' || *p == '"') {
            char quote = *p++;

            s.in_word = true;
            if (!split_quoted(&s, &p, quote)) {
                problem = quote == '"' ? "a double quote (\") is not closed"
                                       : "a single quote (') is not closed";
                p--;
            }
        } else if (*p == '\\') {
            s.in_word = true;
            if (!p[1]) {
                problem = "the line ends in a backslash";
            } else {
                buf_put_char(&s.word, *++p);
            }
        } else {
            s.in_word = true;
            buf_put_char(&s.word, *p);
        }
    }
    if (problem && !partial) {
        buf_printf(error, "%s", problem);
        split_finish_word(&s);
        shell_words_free(s.words, s.n);
        buf_uninit(&s.word);
        *words = NULL;
        *n = 0;
        return EINVAL;
    }
    split_finish_word(&s);
    buf_uninit(&s.word);
    *words = s.words;
    *n = s.n;
    return 0;
}

void
shell_words_free(char **words, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(words[i]);
    }
    free(words);
}

void
shell_candidates_add(struct shell_candidates *c, const char *word)
{
    c->words = x2nrealloc(c->words, &c->allocated, c->n + 1, sizeof *c->words);
    c->words[c->n++] = xstrdup(word);
}

void
shell_candidates_add_word(const char *word, void *candidates)
{
    shell_candidates_add(candidates, word);
}

char **
shell_words_insert_target(int argc, char *argv[], const char *target, int *n)
{
    char **args = xcalloc(argc + 2, sizeof *args);

    *n = 0;
    args[(*n)++] = argv[0];
    if (target) {
        args[(*n)++] = (char *) target;
    }
    for (int i = 1; i < argc; i++) {
        args[(*n)++] = argv[i];
    }
    return args;
}

void
shell_candidates_add_list(struct shell_candidates *c, const char *const words[])
{
    for (size_t i = 0; words[i]; i++) {
        shell_candidates_add(c, words[i]);
    }
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;

    return strcmp(*a, *b);
}

void
shell_candidates_filter(struct shell_candidates *c, const char *prefix)
{
    size_t kept = 0;

    qsort(c->words, c->n, sizeof *c->words, compare_strings);
    for (size_t i = 0; i < c->n; i++) {
        bool wanted = str_starts_with(c->words[i], prefix)
                      && (!kept || strcmp(c->words[kept - 1], c->words[i]));

        if (wanted) {
            c->words[kept++] = c->words[i];
        } else {
            free(c->words[i]);
        }
    }
    c->n = kept;
}

void
shell_candidates_clear(struct shell_candidates *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->words[i]);
    }
    free(c->words);
    c->words = NULL;
    c->n = c->allocated = 0;
}

/* Adds the entries of directory 'dir' whose names end in 'suffix' (which
 * is removed), skipping dot files. A missing directory adds nothing:
 * completion is a convenience, never an error. */
static void
add_directory(struct shell_candidates *c, const char *dir, const char *suffix)
{
    size_t suffix_len = strlen(suffix);
    struct dirent *de;
    DIR *d = opendir(dir);

    if (!d) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        if (de->d_name[0] != '.' && len > suffix_len
            && !strcmp(de->d_name + len - suffix_len, suffix)) {
            char *name = xstrndup(de->d_name, len - suffix_len);

            shell_candidates_add(c, name);
            free(name);
        }
    }
    closedir(d);
}

void
shell_add_bridges(struct shell_candidates *c)
{
    char *dir = xasprintf("%s/bridges", sy_confdir());

    add_directory(c, sy_rundir(), ".mgmt");
    add_directory(c, dir, "");
    free(dir);
}

void
shell_add_ports(struct shell_candidates *c, const char *bridge)
{
    char *dir;

    if (!sy_valid_ifname(bridge)) {
        return;                 /* Not a bridge name: "../x", "tcp:...". */
    }
    dir = xasprintf("%s/bridges/%s/ports", sy_confdir(), bridge);
    add_directory(c, dir, "");
    free(dir);
}
