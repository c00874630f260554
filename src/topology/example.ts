// The example topology written by `claude-orchestrator init` (the one in the README).

export const EXAMPLE_TOPOLOGY = `# Topology of the projects whose sessions coordinate through claude-orchestrator.
#
# Each group is a system made of several repositories. Each member is one repository
# (path) with a role; dependsOn names the roles it uses, exports what it offers them.
# communicationRules say who is told about which kind of change:
#   when:     schema_change, api_endpoint_change, type_definition_change, config_change,
#             dependency_update, breaking_change or any_change
#   from:     "*" or a list of roles
#   notify:   all, dependents, or a list of roles
#   priority: low, normal, high or critical
#
# Edit this file by hand or with the CLI (claude-orchestrator group|member|rule ...),
# then check it with: claude-orchestrator validate
version: "1.0"
groups:
  my-platform:
    name: my-platform
    description: "My multi-service platform"
    members:
      - path: ~/repos/auth-service
        role: auth
        exports: [UserToken, AuthContext]
      - path: ~/repos/api-gateway
        role: gateway
        dependsOn: [auth]
      - path: ~/repos/frontend
        role: frontend
        dependsOn: [gateway]
    communicationRules:
      - when: schema_change
        from: "*"
        notify: dependents
        priority: high
      - when: breaking_change
        from: "*"
        notify: all
        priority: critical
`;

/** The rules a new group starts with (those of the example). */
export const DEFAULT_RULES = [
  { when: 'schema_change', from: '*', notify: 'dependents', priority: 'high' },
  { when: 'breaking_change', from: '*', notify: 'all', priority: 'critical' },
] as const;
