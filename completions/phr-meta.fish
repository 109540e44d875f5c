# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_phr_meta_global_optspecs
    string join \n h/help V/version
end

function __fish_phr_meta_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_phr_meta_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_phr_meta_using_subcommand
    set -l cmd (__fish_phr_meta_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c phr-meta -n "__fish_phr_meta_needs_command" -s h -l help -d 'Print help'
complete -c phr-meta -n "__fish_phr_meta_needs_command" -s V -l version -d 'Print version'
complete -c phr-meta -n "__fish_phr_meta_needs_command" -f -a "read" -d 'reads records\' EXIF, IPTC and XMP metadata into their fields'
complete -c phr-meta -n "__fish_phr_meta_needs_command" -f -a "write" -d 'writes records\' fields back into their files\' EXIF, IPTC and XMP'
complete -c phr-meta -n "__fish_phr_meta_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l task -d 'Take the settings, period and limits of task NAME (tasks.d/NAME.toml); flags override them' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l period -d 'Without --once: time between the starts of two passes (default: the task\'s period)' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l job -d 'Run queued job ID of this kind (what workers do; by hand it is `taskctl run ID`)' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l record -d 'Read this record now, marked or not (repeatable)' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l batch -d 'Records read per pass at most' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l once -d 'Run one pass and exit (for cron): exit 0 when the pass ran, even if items were set aside'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -l dry-run -d 'Say what one pass would do and change nothing (implies --once)'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -s h -l help -d 'Print help'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand read" -s V -l version -d 'Print version'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l task -d 'Take the settings, period and limits of task NAME (tasks.d/NAME.toml); flags override them' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l period -d 'Without --once: time between the starts of two passes (default: the task\'s period)' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l job -d 'Run queued job ID of this kind (what workers do; by hand it is `taskctl run ID`)' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l record -d 'Write this record now, marked or not (repeatable)' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l batch -d 'Records written per pass at most' -r
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l once -d 'Run one pass and exit (for cron): exit 0 when the pass ran, even if items were set aside'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -l dry-run -d 'Say what one pass would do and change nothing (implies --once)'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -s h -l help -d 'Print help'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand write" -s V -l version -d 'Print version'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand help; and not __fish_seen_subcommand_from read write help" -f -a "read" -d 'reads records\' EXIF, IPTC and XMP metadata into their fields'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand help; and not __fish_seen_subcommand_from read write help" -f -a "write" -d 'writes records\' fields back into their files\' EXIF, IPTC and XMP'
complete -c phr-meta -n "__fish_phr_meta_using_subcommand help; and not __fish_seen_subcommand_from read write help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
