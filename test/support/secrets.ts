/** Secrets every test environment uses. Never used outside tests. */
export const TEST_SECRETS = {
  WEBHOOK_SECRET: "test-webhook-secret",
  DASHBOARD_TOKEN: "test-dashboard-token",
} as const;
