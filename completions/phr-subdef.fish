complete -c phr-subdef -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-subdef -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c phr-subdef -l task -d 'Take the settings, period and limits of task NAME (tasks.d/NAME.toml); flags override them' -r
complete -c phr-subdef -l period -d 'Without --once: time between the starts of two passes (default: the task\'s period)' -r
complete -c phr-subdef -l job -d 'Run queued job ID of this kind (what workers do; by hand it is `taskctl run ID`)' -r
complete -c phr-subdef -l record -d 'Build this record now, marked or not, whatever its failures (repeatable)' -r
complete -c phr-subdef -l batch -d 'Records built per pass at most' -r
complete -c phr-subdef -l threads -d 'Records built at once (default: one per core)' -r
complete -c phr-subdef -l once -d 'Run one pass and exit (for cron): exit 0 when the pass ran, even if items were set aside'
complete -c phr-subdef -l dry-run -d 'Say what one pass would do and change nothing (implies --once)'
complete -c phr-subdef -l all -d 'Build every document\'s sub-definitions again'
complete -c phr-subdef -s h -l help -d 'Print help'
complete -c phr-subdef -s V -l version -d 'Print version'
