# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_taskctl_global_optspecs
    string join \n config= data-dir= h/help V/version
end

function __fish_taskctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_taskctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_taskctl_using_subcommand
    set -l cmd (__fish_taskctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c taskctl -n "__fish_taskctl_needs_command" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_needs_command" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_needs_command" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_needs_command" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "add" -d 'Add a job (prints its id, or 0 when it duplicates a queued job)'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "rm" -d 'Remove jobs that are not running (or, with --force, stop and remove running ones)'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "link" -d 'Attach a job to objects, such as article:23'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "list" -d 'List jobs, queued and running first, in the order they will run'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "show" -d 'Show one job in full'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "run" -d 'Run one queued job now, in the foreground, whatever its due time'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "purge" -d 'Remove every job in a status at once (queued by default); never running ones'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "work" -d 'Run a worker: claim due jobs and run them, N at a time'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "log" -d 'Print a task\'s, the scheduler\'s or a job\'s log; -f follows it'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "new" -d 'Write tasks.d/NAME.toml for a new task of KIND, with every setting and its default'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "start" -d 'Start the scheduler (no TASK), or start tasks'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "stop" -d 'Stop the scheduler and its tasks (no TASK), or stop tasks'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "restart" -d 'Stop tasks\' workers and start fresh ones'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "reset" -d 'Clear tasks\' crash counts (a crashed task stays stopped until started)'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "status" -d 'Show the scheduler and the tasks; with TASK, exit 0 running, 3 stopped, 1 crashed'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "pass" -d 'Run one pass of a task in the foreground (refused while its worker runs)'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "check" -d 'Check the store\'s integrity: prints "ok" (exit 0), or what is wrong (exit 65)'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "backup" -d 'Write a consistent copy of the store to FILE (mode 0600), even while workers run'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "reload" -d 'Make the running scheduler reload tasks.d and reopen its log (SIGHUP); exit 3 if it is not running'
complete -c taskctl -n "__fish_taskctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -s d -l description -d 'What the job does, for listings' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l file -d 'Handler location: an executable, or a directory ending in \'/\' holding one named FUNCTION' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l no-duplicate -d 'Do not add if a queued job is the same (=args: same function, args and file; =function: same function)' -r -f -a "args\t'Same function, args and handler location'
function\t'Same function, whatever the args'"
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l at -d 'When it becomes due: 0 (now), @UNIX-SECONDS, RFC 3339 or "YYYY-MM-DD HH:MM[:SS]" (local). A past time means now; before 1970 or more than 100 years ahead is refused' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l in -d 'Due after this delay, such as 30s, 5m, 2h (at most 100 years)' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -s p -l priority -d 'From -10 to 10; higher priorities run first once due' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l max-attempts -d 'Runs before a failing job is declared dead (default: jobs.max_attempts)' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l timeout -d 'Stop the handler after this long (default: jobs.timeout)' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l object -d 'Attach the job to this object (repeatable)' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l batch -d 'Read one JSON job per line from stdin and add them all in one transaction (format below)'
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -l json -d 'Print {"id":N,"added":BOOL,"duplicate_of":N|null} (one line per job with --batch)'
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskctl -n "__fish_taskctl_using_subcommand add" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand rm" -l object -d 'Remove every job attached to this object' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand rm" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand rm" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand rm" -l force -d 'Stop running jobs (SIGTERM, then SIGKILL) and remove them too'
complete -c taskctl -n "__fish_taskctl_using_subcommand rm" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand rm" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand link" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand link" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand link" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand link" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -l status -d 'Only jobs in this status' -r -f -a "queued\t'Waiting to be claimed once due (new, retrying, or "not finished")'
running\t'Claimed by a worker whose pid is recorded'
done\t'Finished with success'
dead\t'Failed `max_attempts` times; kept with its last error'"
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -l function -d 'Only jobs of this function' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -l object -d 'Only jobs attached to this object' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -l json -d 'Print {"jobs":[…],"next_due":TIME|null}'
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -l wide -d 'Show every cell whole instead of fitting the table to the terminal ($COLUMNS or 80 columns when not a terminal)'
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskctl -n "__fish_taskctl_using_subcommand list" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand show" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand show" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand show" -l json -d 'Print the job as a JSON object'
complete -c taskctl -n "__fish_taskctl_using_subcommand show" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand show" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand run" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand run" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand run" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand run" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand purge" -l status -d 'Which jobs to remove' -r -f -a "queued\t''
done\t''
dead\t''"
complete -c taskctl -n "__fish_taskctl_using_subcommand purge" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand purge" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand purge" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand purge" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand work" -s j -l jobs -d 'Jobs run at once (default: worker.jobs, else the number of CPUs)' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand work" -l max-jobs -d 'Exit after running N jobs (a supervisor then starts a fresh worker)' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand work" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand work" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand work" -l until-empty -d 'Exit once nothing is running or due and no retry is pending'
complete -c taskctl -n "__fish_taskctl_using_subcommand work" -l once -d 'Claim what is due once, run it, and exit'
complete -c taskctl -n "__fish_taskctl_using_subcommand work" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand work" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand log" -l job -d 'A job\'s log (its handler\'s stdout and stderr)' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand log" -s n -l lines -d 'Print only the last N lines (10 with --follow)' -r
complete -c taskctl -n "__fish_taskctl_using_subcommand log" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand log" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand log" -l scheduler -d 'The scheduler\'s log'
complete -c taskctl -n "__fish_taskctl_using_subcommand log" -s f -l follow -d 'Keep printing what is appended, across log rotation (like tail -F)'
complete -c taskctl -n "__fish_taskctl_using_subcommand log" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand log" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand new" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand new" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand new" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand new" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand start" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand start" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand start" -l all -d 'Every task in tasks.d'
complete -c taskctl -n "__fish_taskctl_using_subcommand start" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand start" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand stop" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand stop" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand stop" -l all -d 'Every task in tasks.d'
complete -c taskctl -n "__fish_taskctl_using_subcommand stop" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand stop" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand restart" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand restart" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand restart" -l all -d 'Every task in tasks.d'
complete -c taskctl -n "__fish_taskctl_using_subcommand restart" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand restart" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand reset" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand reset" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand reset" -l all -d 'Every task in tasks.d'
complete -c taskctl -n "__fish_taskctl_using_subcommand reset" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand reset" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand status" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand status" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand status" -l json -d 'Print {"scheduler":{…},"tasks":[…]}'
complete -c taskctl -n "__fish_taskctl_using_subcommand status" -l wide -d 'Show every cell whole instead of fitting the table to the terminal ($COLUMNS or 80 columns when not a terminal)'
complete -c taskctl -n "__fish_taskctl_using_subcommand status" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand status" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand pass" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand pass" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand pass" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand pass" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand check" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand check" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand check" -l quick -d 'Check pages and records only, not indexes against their tables (about twice as fast)'
complete -c taskctl -n "__fish_taskctl_using_subcommand check" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand check" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand backup" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand backup" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand backup" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand backup" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand reload" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand reload" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c taskctl -n "__fish_taskctl_using_subcommand reload" -s h -l help -d 'Print help'
complete -c taskctl -n "__fish_taskctl_using_subcommand reload" -s V -l version -d 'Print version'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "add" -d 'Add a job (prints its id, or 0 when it duplicates a queued job)'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "rm" -d 'Remove jobs that are not running (or, with --force, stop and remove running ones)'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "link" -d 'Attach a job to objects, such as article:23'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "list" -d 'List jobs, queued and running first, in the order they will run'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "show" -d 'Show one job in full'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "run" -d 'Run one queued job now, in the foreground, whatever its due time'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "purge" -d 'Remove every job in a status at once (queued by default); never running ones'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "work" -d 'Run a worker: claim due jobs and run them, N at a time'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "log" -d 'Print a task\'s, the scheduler\'s or a job\'s log; -f follows it'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "new" -d 'Write tasks.d/NAME.toml for a new task of KIND, with every setting and its default'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "start" -d 'Start the scheduler (no TASK), or start tasks'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "stop" -d 'Stop the scheduler and its tasks (no TASK), or stop tasks'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "restart" -d 'Stop tasks\' workers and start fresh ones'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "reset" -d 'Clear tasks\' crash counts (a crashed task stays stopped until started)'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "status" -d 'Show the scheduler and the tasks; with TASK, exit 0 running, 3 stopped, 1 crashed'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "pass" -d 'Run one pass of a task in the foreground (refused while its worker runs)'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "check" -d 'Check the store\'s integrity: prints "ok" (exit 0), or what is wrong (exit 65)'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "backup" -d 'Write a consistent copy of the store to FILE (mode 0600), even while workers run'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "reload" -d 'Make the running scheduler reload tasks.d and reopen its log (SIGHUP); exit 3 if it is not running'
complete -c taskctl -n "__fish_taskctl_using_subcommand help; and not __fish_seen_subcommand_from add rm link list show run purge work log new start stop restart reset status pass check backup reload help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
