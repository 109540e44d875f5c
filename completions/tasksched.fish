complete -c tasksched -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c tasksched -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c tasksched -l run-task -d 'Run the worker of one task (how the scheduler starts its workers)' -r
complete -c tasksched -s f -l foreground -d 'Stay in the foreground and log to stderr (for systemd)'
complete -c tasksched -l ensure -d 'Start only if no scheduler runs for this data dir, and say nothing if one does (for cron)'
complete -c tasksched -l daemon-child -d 'Set on the daemon\'s own process'
complete -c tasksched -s h -l help -d 'Print help'
complete -c tasksched -s V -l version -d 'Print version'
