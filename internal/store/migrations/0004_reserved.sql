-- placeholder until the service network is merged
SELECT 1;
