# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_phr_record_global_optspecs
    string join \n config= data-dir= h/help V/version
end

function __fish_phr_record_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_phr_record_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_phr_record_using_subcommand
    set -l cmd (__fish_phr_record_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c phr-record -n "__fish_phr_record_needs_command" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_needs_command" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_needs_command" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_needs_command" -s V -l version -d 'Print version'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "list" -d 'List records, newest first'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "search" -d 'Search the full-text index: words, "phrases", prefix*, Field:value, AND/OR/NOT, Date:FROM..TO'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "show" -d 'Show one record in full: fields, technical values, sub-definitions, status bits'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "set" -d 'Set a field\'s values (several for a multi-valued field), or clear it with no value'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "status" -d 'Change status bits with a mask (1 set, 0 clear, x leave) or by name'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "mark" -d 'Mark records for work again: metadata read, sub-definitions, indexing, metadata write'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "rm" -d 'Remove records with their files'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "export" -d 'Copy a record\'s original (or a sub-definition) out of the databox'
complete -c phr-record -n "__fish_phr_record_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -s c -l collection -d 'Only this collection (its name or Phraseanet id)' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -s s -l status -d 'Only records whose status matches this mask (1x0xxxx)' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -s f -l field -d 'Only records where FIELD has exactly this value' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -l since -d 'Created on or after this date (YYYY-MM-DD, or a time as taskctl\'s --at takes)' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -l until -d 'Created before this date' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -l pending -d 'Only records waiting for this work' -r -f -a "meta-read\t''
subdefs\t''
index\t''
meta-write\t''"
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -s n -l limit -d 'At most this many records' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -l stories -d 'Only stories'
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -l json -d 'One JSON object on stdout'
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -l wide -d 'Show cells whole instead of fitting the table to the terminal'
complete -c phr-record -n "__fish_phr_record_using_subcommand list" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_using_subcommand search" -s c -l collection -d 'Only this collection (its name or Phraseanet id)' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand search" -s s -l status -d 'Only records whose status matches this mask (1x0xxxx)' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand search" -s n -l limit -d 'At most this many records' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand search" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand search" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand search" -l json -d 'One JSON object on stdout, each record with its score'
complete -c phr-record -n "__fish_phr_record_using_subcommand search" -l wide -d 'Show cells whole instead of fitting the table to the terminal'
complete -c phr-record -n "__fish_phr_record_using_subcommand search" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_using_subcommand show" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand show" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand show" -l json -d 'JSON on stdout'
complete -c phr-record -n "__fish_phr_record_using_subcommand show" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_using_subcommand set" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand set" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand set" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_using_subcommand status" -l mask -d 'A mask, bit 0 rightmost (1 set, 0 clear, x leave)' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand status" -l on -d 'Set this bit (its name or number; repeatable)' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand status" -l off -d 'Clear this bit (its name or number; repeatable)' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand status" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand status" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand status" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_using_subcommand mark" -l work -d 'The work to do again' -r -f -a "meta-read\t''
subdefs\t''
index\t''
meta-write\t''"
complete -c phr-record -n "__fish_phr_record_using_subcommand mark" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand mark" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand mark" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_using_subcommand rm" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand rm" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand rm" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_using_subcommand export" -s o -l output -d 'Where to write: a file, or a folder (the original name is kept); `-` for stdout' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand export" -l subdef -d 'A sub-definition instead of the original' -r
complete -c phr-record -n "__fish_phr_record_using_subcommand export" -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand export" -l data-dir -d 'Data directory (store, files, logs)' -r -F
complete -c phr-record -n "__fish_phr_record_using_subcommand export" -s h -l help -d 'Print help'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "list" -d 'List records, newest first'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "search" -d 'Search the full-text index: words, "phrases", prefix*, Field:value, AND/OR/NOT, Date:FROM..TO'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "show" -d 'Show one record in full: fields, technical values, sub-definitions, status bits'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "set" -d 'Set a field\'s values (several for a multi-valued field), or clear it with no value'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "status" -d 'Change status bits with a mask (1 set, 0 clear, x leave) or by name'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "mark" -d 'Mark records for work again: metadata read, sub-definitions, indexing, metadata write'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "rm" -d 'Remove records with their files'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "export" -d 'Copy a record\'s original (or a sub-definition) out of the databox'
complete -c phr-record -n "__fish_phr_record_using_subcommand help; and not __fish_seen_subcommand_from list search show set status mark rm export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
