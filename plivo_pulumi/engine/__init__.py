"""What runs, or reads, the `pulumi` engine: the command line a provider runs under (`invocation`),
the engine settings every run gets (`settings`), a command run again while another run holds the
stack's lock (`lock_wait`), and programs run through the Automation API (`workspace`).

It sits between the core and the front-ends: it may use the core (the run's memory, its errors),
the front-ends and the CLI use it, and the core never does (tests/test_layers.py).
"""
