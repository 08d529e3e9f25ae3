/* shell: "ofctl" at a terminal, or "ofctl shell [SWITCH]": the commands of
 * the command table at a libedit prompt (libcommon/shell.h), completing
 * commands, bridges, port names and flow fields. With a SWITCH, commands
 * typed without one go to it ("dump-flows" is "dump-flows SWITCH"). */
#include "ofctl.h"

#include <stdlib.h>
#include <string.h>

#include "ofp-parse.h"
#include "shell.h"
#include "util.h"

struct ofctl_shell {
    struct ofctl *ctx;          /* Global options, connection state. */
    const char *default_switch; /* From "shell SWITCH", or NULL. */
};

/* True if 'word' names a switch rather than being the command's next
 * argument: a target (unix:, tcp:, ssl:) or a bridge that exists. */
static bool
looks_like_switch(const char *word)
{
    struct shell_candidates bridges = SHELL_CANDIDATES_INITIALIZER;
    bool found;

    if (str_starts_with(word, "unix:") || str_starts_with(word, "tcp:")
        || str_starts_with(word, "ssl:")) {
        return true;
    }
    shell_add_bridges(&bridges);
    shell_candidates_filter(&bridges, word);
    found = bridges.n && !strcmp(bridges.words[0], word);
    shell_candidates_clear(&bridges);
    return found;
}

/* Whether the words after the command lack the SWITCH, which the default
 * switch then supplies. */
static bool
needs_default_switch(const struct ofctl_shell *sh, size_t n_args, char *args[])
{
    return sh->default_switch && (!n_args || !looks_like_switch(args[0]));
}

static int
shell_run_command(void *sh_, int argc, char *argv[])
{
    struct ofctl_shell *sh = sh_;
    bool add_switch;
    char **args;
    int n, status;

    if (!strcmp(argv[0], "shell")) {
        fprintf(stderr, "ofctl: already in the shell\n");
        return OFCTL_USAGE;
    }
    add_switch = ofctl_find_command(argv[0]) && needs_default_switch(sh, argc - 1, argv + 1);
    args = shell_words_insert_target(argc, argv, add_switch ? sh->default_switch : NULL, &n);
    status = ofctl_run(sh->ctx, n, args);
    free(args);
    return status;
}

/* Candidates for the 'index'th argument of 'cmd' (0 = SWITCH) on switch
 * 'sw'. 'in_word' is the current word up to the last comma. */
static void
complete_argument(const char *cmd, size_t index, const char *sw, const char *in_word,
                  struct shell_candidates *out)
{
    static const char *const port_actions[] = {
        "up", "down", "flood", "noflood", "receive", "noreceive", "packet-in",
        "no-packet-in", NULL,
    };
    static const char *const special_ports[] = { "LOCAL", "CONTROLLER", NULL };
    static const char *const flow_commands[] = {
        "add-flow", "mod-flows", "del-flows", "dump-flows", "dump-aggregate", NULL,
    };
    bool flow_command = false;

    for (size_t i = 0; flow_commands[i]; i++) {
        flow_command = flow_command || !strcmp(cmd, flow_commands[i]);
    }
    if (index == 0) {
        shell_add_bridges(out);
    } else if (index == 1 && flow_command) {
        /* After "actions=" come actions, which are not completed. */
        if (!strstr(in_word, "actions=")) {
            ofp_parse_flow_words(shell_candidates_add_word, out);
        }
    } else if (index == 1 && (!strcmp(cmd, "dump-ports") || !strcmp(cmd, "mod-port")
                              || !strcmp(cmd, "packet-out"))) {
        shell_add_ports(out, sw);
        shell_candidates_add_list(out, special_ports);
    } else if (index == 1 && (!strcmp(cmd, "add-flows") || !strcmp(cmd, "replace-flows")
                              || !strcmp(cmd, "diff-flows"))) {
        shell_candidates_add(out, "-");
    } else if (index == 2 && !strcmp(cmd, "mod-port")) {
        shell_candidates_add_list(out, port_actions);
    }
}

static void
shell_complete(void *sh_, size_t n_words, char *words[], const char *in_word,
               struct shell_candidates *out)
{
    const struct ofctl_shell *sh = sh_;
    size_t n_commands, n_args;
    const struct ofctl_command *commands = ofctl_commands(&n_commands);
    char **args;

    if (!n_words) {
        for (size_t i = 0; i < n_commands; i++) {
            shell_candidates_add(out, commands[i].name);
        }
        shell_candidates_add_list(out, (const char *const[]) { "help", "exit", "quit", NULL });
        return;
    }
    args = words + 1;
    n_args = n_words - 1;
    if (needs_default_switch(sh, n_args, args)) {
        /* The switch is implicit; an explicit one may still come first. */
        if (!n_args) {
            shell_add_bridges(out);
        }
        complete_argument(words[0], n_args + 1, sh->default_switch, in_word, out);
    } else {
        complete_argument(words[0], n_args, n_args ? args[0] : "", in_word, out);
    }
}

static void
shell_help(void *sh_)
{
    const struct ofctl_shell *sh = sh_;

    printf("Commands (SWITCH%s%s%s):\n", sh->default_switch ? " may be left out: " : "",
           sh->default_switch ? sh->default_switch : "",
           sh->default_switch ? " by default" : " is a bridge, unix:, tcp: or ssl:");
    ofctl_print_commands(stdout);
    printf("  help | exit | quit\n"
           "TAB completes commands, bridges, ports and flow fields.\n");
}

int
ofctl_shell(struct ofctl *ctx, const char *default_switch)
{
    struct ofctl_shell sh = { .ctx = ctx, .default_switch = default_switch };
    char *prompt = xasprintf("ofctl%s%s%s> ", default_switch ? "(" : "",
                             default_switch ? default_switch : "",
                             default_switch ? ")" : "");
    struct shell_class cls = {
        .program = "ofctl",
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
