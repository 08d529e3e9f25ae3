/* shell-words: the parts of the interactive shell of ofctl and dp (shell.h)
 * that need no line editor: splitting a command line into words the way
 * sh does (quotes, backslashes), and collecting completion candidates,
 * among them the names of bridges and ports. Kept apart from shell.c so
 * that unit tests and fuzzers need no libedit. */
#ifndef SY_SHELL_WORDS_H
#define SY_SHELL_WORDS_H 1

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Splits 'line' into words at blanks; '...' and "..." quote (\" and \\
 * inside double quotes), a backslash outside quotes escapes the next
 * character, "#" at the start of a word begins a comment. On success
 * returns 0 and sets '*words' (free with shell_words_free()) and '*n'.
 * An unterminated quote or a trailing backslash is EINVAL with a message
 * in 'error', unless 'partial' (a line still being typed, for completion),
 * in which case the last word is what was typed so far. */
int shell_split(const char *line, bool partial, char ***words, size_t *n, struct buf *error);
void shell_words_free(char **words, size_t n);
/* The command line 'argv' (argc >= 1 words, argv[0] the command) with
 * 'target' inserted after the command, or as it is if 'target' is NULL:
 * how a shell with a default bridge runs "dump-flows". A new array of the
 * same word pointers (free it with free()); '*n' is its length. */
char **shell_words_insert_target(int argc, char *argv[], const char *target, int *n);

/* Completion candidates: a growable list of strings. */
struct shell_candidates {
    char **words;               /* Owned strings. */
    size_t n;                   /* Number of words. */
    size_t allocated;           /* Capacity of 'words'. */
};

#define SHELL_CANDIDATES_INITIALIZER { NULL, 0, 0 }

void shell_candidates_add(struct shell_candidates *, const char *word);
/* shell_candidates_add() as a word callback, for the parsers' word lists
 * (ofp_parse_flow_words(), odp_key_words()): 'candidates' is the list. */
void shell_candidates_add_word(const char *word, void *candidates);
void shell_candidates_add_list(struct shell_candidates *, const char *const words[]);
/* Keeps the candidates that start with 'prefix', sorted, without
 * duplicates. */
void shell_candidates_filter(struct shell_candidates *, const char *prefix);
void shell_candidates_clear(struct shell_candidates *);

/* Adds the names of the bridges: those with a management socket in
 * $SY_RUNDIR (BR.mgmt, what flowd runs) and those configured in
 * $SY_CONFDIR/bridges/ (what portd knows). */
void shell_add_bridges(struct shell_candidates *);
/* Adds the names of the ports of 'bridge' from its configuration. */
void shell_add_ports(struct shell_candidates *, const char *bridge);

#endif
