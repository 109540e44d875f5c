complete -c phr-archive -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-archive -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c phr-archive -l task -d 'Take the settings, period and limits of task NAME (tasks.d/NAME.toml); flags override them' -r
complete -c phr-archive -l period -d 'Without --once: time between the starts of two passes (default: the task\'s period)' -r
complete -c phr-archive -l job -d 'Run queued job ID of this kind (what workers do; by hand it is `taskctl run ID`)' -r
complete -c phr-archive -l hotfolder -d 'The hot folder' -r -F
complete -c phr-archive -l collection -d 'The target collection (name or Phraseanet id)' -r
complete -c phr-archive -l delay -d 'Take files unchanged for this long ("0s" takes them at once)' -r
complete -c phr-archive -l once -d 'Run one pass and exit (for cron): exit 0 when the pass ran, even if items were set aside'
complete -c phr-archive -l dry-run -d 'Say what one pass would do and change nothing (implies --once)'
complete -c phr-archive -l delete-archived -d 'Delete archived files instead of moving them to HOT_archived/'
complete -c phr-archive -l keep-duplicates -d 'Archive duplicates instead of setting them aside'
complete -c phr-archive -s h -l help -d 'Print help'
complete -c phr-archive -s V -l version -d 'Print version'
