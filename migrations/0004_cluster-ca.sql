CREATE TABLE `cluster_ca` (
	`id` text PRIMARY KEY NOT NULL,
	`cert_pem` text NOT NULL,
	`created_at` integer NOT NULL
);
