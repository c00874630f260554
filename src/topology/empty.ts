// The configuration used when there is neither a topology file nor a recorded topology.
export const EMPTY_TOPOLOGY = 'version: "1.0"\ngroups: {}\n';
