"""The native `plivo` provider plugin (`pulumi-resource-plivo`): the package `plivo` for every Pulumi
language, served over gRPC from the same Pulumi-free core as the dynamic resources."""
