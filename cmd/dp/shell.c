/* shell: "dp" at a terminal, or "dp shell [DP]": the commands of the
 * command table at a libedit prompt (libcommon/shell.h), completing
 * commands, datapaths (bridges), ports, options and the attributes of
 * datapath flow keys. With a DP, commands typed without one go to it. */
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "odp.h"
#include "shell.h"
#include "util.h"

struct dp_shell {
    enum dp_route route;        /* --datapath= given to "dp". */
    const char *default_dp;     /* From "shell DP", or NULL. */
};

static bool
is_option(const char *word)
{
    return word[0] == '-' && word[1];
}

/* True if 'word' names a datapath: system@NAME or a bridge. */
static bool
is_datapath(const char *word)
{
    struct shell_candidates bridges = SHELL_CANDIDATES_INITIALIZER;
    bool found;

    if (str_starts_with(word, "system@")) {
        return true;
    }
    shell_add_bridges(&bridges);
    shell_candidates_filter(&bridges, word);
    found = bridges.n && !strcmp(bridges.words[0], word);
    shell_candidates_clear(&bridges);
    return found;
}

/* The words after the command that are not options. */
static size_t
count_args(size_t n, char *args[], char **first)
{
    size_t count = 0;

    *first = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!is_option(args[i])) {
            *first = count ? *first : args[i];
            count++;
        }
    }
    return count;
}

static bool
needs_default_dp(const struct dp_shell *sh, size_t n_args, char *args[])
{
    char *first;

    count_args(n_args, args, &first);
    return sh->default_dp && (!first || !is_datapath(first));
}

static bool
is_command(const char *name)
{
    for (size_t i = 0; dp_command_name(i); i++) {
        if (!strcmp(dp_command_name(i), name)) {
            return true;
        }
    }
    return false;
}

static int
shell_run_command(void *sh_, int argc, char *argv[])
{
    struct dp_shell *sh = sh_;
    bool add_dp;
    char **args;
    int n, status;

    if (!strcmp(argv[0], "shell")) {
        fprintf(stderr, "dp: already in the shell\n");
        return 2;
    }
    add_dp = is_command(argv[0]) && needs_default_dp(sh, argc - 1, argv + 1);
    /* A copy also because dp_dispatch() rearranges its array. */
    args = shell_words_insert_target(argc, argv, add_dp ? sh->default_dp : NULL, &n);
    status = dp_dispatch(sh->route, n, args);
    free(args);
    return status;
}

/* Candidates for the 'index'th non-option argument of 'cmd' (0 = DP). */
static void
complete_argument(const char *cmd, size_t index, const char *dp, const char *in_word,
                  struct shell_candidates *out)
{
    static const char *const flow_commands[] = {
        "add-flow", "mod-flow", "get-flow", "del-flow", NULL,
    };
    bool flow_command = false;

    for (size_t i = 0; flow_commands[i]; i++) {
        flow_command = flow_command || !strcmp(cmd, flow_commands[i]);
    }
    if (index == 0 && strcmp(cmd, "add-dp")) {
        shell_add_bridges(out);
    } else if (index == 1 && flow_command && !strstr(in_word, "actions:")) {
        odp_key_words(shell_candidates_add_word, out);
        if (!strcmp(cmd, "add-flow") || !strcmp(cmd, "mod-flow")) {
            shell_candidates_add(out, "actions:");
        }
    } else if (index == 1 && !strcmp(cmd, "del-if")) {
        shell_add_ports(out, dp);
    }
}

static void
shell_complete(void *sh_, size_t n_words, char *words[], const char *in_word,
               struct shell_candidates *out)
{
    static const char *const options[] = {
        "-s", "-j", "--format=json", "--format=text", "--statistics", "--clear", NULL,
    };
    const struct dp_shell *sh = sh_;
    size_t n_args;
    char *first;

    if (!n_words) {
        for (size_t i = 0; dp_command_name(i); i++) {
            shell_candidates_add(out, dp_command_name(i));
        }
        shell_candidates_add_list(out, (const char *const[]) { "help", "exit", "quit", NULL });
        return;
    }
    shell_candidates_add_list(out, options);    /* Options go anywhere. */
    n_args = count_args(n_words - 1, words + 1, &first);
    if (needs_default_dp(sh, n_words - 1, words + 1)) {
        if (!n_args) {
            shell_add_bridges(out);
        }
        complete_argument(words[0], n_args + 1, sh->default_dp, in_word, out);
    } else {
        complete_argument(words[0], n_args, first ? first : "", in_word, out);
    }
}

static void
shell_help(void *sh_)
{
    const struct dp_shell *sh = sh_;

    printf("Commands");
    if (sh->default_dp) {
        printf(" (DP may be left out: %s by default)", sh->default_dp);
    }
    printf(":\n");
    dp_print_commands(stdout);
    printf("  help | exit | quit\n"
           "TAB completes commands, datapaths, ports, options and flow keys.\n");
}

int
dp_shell(enum dp_route route, const char *default_dp)
{
    struct dp_shell sh = { .route = route, .default_dp = default_dp };
    char *prompt = xasprintf("dp%s%s%s> ", default_dp ? "(" : "",
                             default_dp ? default_dp : "", default_dp ? ")" : "");
    struct shell_class cls = {
        .program = "dp",
        .prompt = prompt,
        .run = shell_run_command,
        .complete = shell_complete,
        .help = shell_help,
        .aux = &sh,
    };
    int status = shell_run(&cls);

    free(prompt);
    return status;
}
