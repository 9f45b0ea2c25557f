package main

// usage is the help text of --help.
const usage = `Usage:
    oidc-doctor [flags]                  diagnose this run's Spacelift OIDC token against Azure
    oidc-doctor demo [SCENARIO]          the same diagnosis against the built-in emulator
    oidc-doctor demo --list              list the emulator's scenarios
    oidc-doctor explain [FILE|-]         explain AADSTS and ARM errors in pasted output
    oidc-doctor subjects [flags]         every subject a stack or module needs, with commands

Flags:
    --token-file PATH     read the token from PATH (default: ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH,
                          SPACELIFT_OIDC_TOKEN, $TF_VAR_spacelift_workspace_root/spacelift.oidc,
                          /mnt/workspace/spacelift.oidc)
    --format FORMAT       text, json or markdown (default text)
    --output FILE         also write the report to FILE, before stdout: a new file of mode 0600
                          renamed into place (a symlink there is replaced, not followed);
                          a path that is not a regular file (/dev/stdout, /dev/stderr, a FIFO)
                          is written directly; a token file read by the run is refused
    --color WHEN          auto, always or never (default auto; NO_COLOR turns auto off)
    --fail-on LEVEL       exit non-zero on: fail, warn or never (default fail)
    --offline             only checks that need no network
    --timeout DURATION    bound for the whole run (default 30s)
    --redact              mask tenant, subscription, client and object ids and the account host
    --verbose             show the facts of passing checks too
    --version             print the version
    subjects: --space ID --stack ID | --module ID --account HOST --client-id ID

Exit codes (the same in every format):
    0  no check failed (warnings allowed)
    1  oidc-doctor itself could not run
    2  usage error
    3  at least one check failed: a misconfiguration the run will hit
       (explain: no error code recognised)
    4  inconclusive: a service or network fault stopped a step, and
       nothing is known to be misconfigured
    130, 143  interrupted (SIGINT, SIGTERM); what was known is still rendered
    Precedence: 1 > 130/143 > 3 > 4 > 0. --fail-on never maps 3 and 4 to 0;
    --fail-on warn adds warnings to 3.

Examples:
    oidc-doctor --color always                 # as a Spacelift before_init hook
    oidc-doctor --format markdown > report.md  # for a support ticket
    oidc-doctor demo subject-scope             # see a failure diagnosed, no Azure needed
    terraform plan 2>&1 | oidc-doctor explain -
`
