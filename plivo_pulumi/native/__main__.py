"""`python -m plivo_pulumi.native ENGINE_ADDRESS`: the same as the `pulumi-resource-plivo` script."""

from plivo_pulumi.native.server import main

if __name__ == "__main__":
    main()
