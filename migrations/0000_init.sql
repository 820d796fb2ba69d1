CREATE TABLE `changes` (
	`rv` integer PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`resource` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `changes_resource_rv` ON `changes` (`resource`,`rv`);--> statement-breakpoint
CREATE TABLE `objects` (
	`resource` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`uid` text NOT NULL,
	`resource_version` integer NOT NULL,
	`node_name` text,
	`phase` text,
	`owner_uid` text,
	`labels` text DEFAULT '{}' NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `objects_key` ON `objects` (`resource`,`namespace`,`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `objects_uid` ON `objects` (`uid`);--> statement-breakpoint
CREATE INDEX `objects_node` ON `objects` (`resource`,`node_name`);--> statement-breakpoint
CREATE INDEX `objects_phase` ON `objects` (`resource`,`phase`);--> statement-breakpoint
CREATE INDEX `objects_owner` ON `objects` (`owner_uid`);--> statement-breakpoint
CREATE TABLE `revision` (
	`id` integer PRIMARY KEY NOT NULL,
	`rv` integer NOT NULL,
	`compacted_rv` integer DEFAULT 0 NOT NULL
);
