/** The secrets of every hub that tests, benches and scripts start locally; never a deployment's. */
export const TEST_SECRETS = {
  WEBHOOK_SECRET: "test-webhook-secret",
  DASHBOARD_TOKEN: "test-dashboard-token",
} as const;
