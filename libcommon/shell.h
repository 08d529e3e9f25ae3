/* shell: the interactive prompt of ofctl and dp ("ofctl", "ofctl shell
 * [BR]"): a libedit line editor with history and tab completion that runs
 * each line through the program's own command table. The program supplies
 * what to run and what to complete (struct shell_class); splitting and
 * candidates are in shell-words.h.
 *
 * Only programs that call shell_run() need libedit at link time. */
#ifndef SY_SHELL_H
#define SY_SHELL_H 1

#include <stddef.h>

#include "shell-words.h"

struct shell_class {
    const char *program;        /* "ofctl": messages and the history file. */
    const char *prompt;         /* "ofctl> ". */

    /* Runs one command ('argv[0]' is the command name); returns its exit
     * status. */
    int (*run)(void *aux, int argc, char *argv[]);

    /* Adds to 'out' the candidates for the word being typed, given the
     * 'n_words' complete words before it. 'in_word' is what is typed of
     * the current word before the part being completed: flow text is
     * completed after each comma, so for "ip,nw_d" it is "ip,". */
    void (*complete)(void *aux, size_t n_words, char *words[], const char *in_word,
                     struct shell_candidates *out);

    /* Prints the commands (for "help"). */
    void (*help)(void *aux);

    void *aux;                  /* Passed to the functions above. */
};

/* Runs the shell until end of input, "exit" or "quit". On a terminal it
 * prompts, edits lines with libedit, completes with TAB and keeps the
 * history in $XDG_STATE_HOME/switchyard/PROGRAM_history (default
 * ~/.local/state/...), saved after each line; otherwise it reads commands from standard input,
 * one a line. Returns 0 if every command succeeded, else the status of the
 * last one that failed. */
int shell_run(const struct shell_class *);

#endif
