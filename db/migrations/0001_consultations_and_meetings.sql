CREATE TABLE `consultation_invitees` (
	`consultation_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`by_name` integer DEFAULT false NOT NULL,
	`invited_at` integer,
	`viewed_at` integer,
	PRIMARY KEY(`consultation_id`, `user_id`),
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consultation_invitees_user_idx` ON `consultation_invitees` (`user_id`);--> statement-breakpoint
CREATE TABLE `consultation_organisations` (
	`consultation_id` integer NOT NULL,
	`organisation_id` integer NOT NULL,
	PRIMARY KEY(`consultation_id`, `organisation_id`),
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `consultations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`crime_areas` text NOT NULL,
	`input_deadline` integer NOT NULL,
	`deadline_time_zone` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`coordinator_user_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	`opened_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`coordinator_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `meeting_action_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`title` text NOT NULL,
	`owner_user_id` integer,
	`due_on` text,
	`done` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `meeting_attendance` (
	`meeting_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`attended` integer NOT NULL,
	PRIMARY KEY(`meeting_id`, `user_id`),
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `meeting_rsvps` (
	`meeting_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`response` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`meeting_id`, `user_id`),
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `meeting_slots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`time_zone` text NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meeting_slots_unique` ON `meeting_slots` (`meeting_id`,`starts_at`);--> statement-breakpoint
CREATE TABLE `meetings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`uid` text NOT NULL,
	`consultation_id` integer NOT NULL,
	`organiser_user_id` integer NOT NULL,
	`title` text NOT NULL,
	`agenda` text DEFAULT '' NOT NULL,
	`duration_minutes` integer NOT NULL,
	`place` text,
	`video_url` text,
	`time_zone` text NOT NULL,
	`status` text DEFAULT 'polling' NOT NULL,
	`revision` integer DEFAULT 0 NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`attendee_list_open` integer DEFAULT false NOT NULL,
	`minutes` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	`finalised_at` integer,
	`cancelled_at` integer,
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organiser_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meetings_uid_unique` ON `meetings` (`uid`);--> statement-breakpoint
CREATE INDEX `meetings_consultation_idx` ON `meetings` (`consultation_id`);--> statement-breakpoint
CREATE TABLE `slot_votes` (
	`slot_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`answer` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`slot_id`, `user_id`),
	FOREIGN KEY (`slot_id`) REFERENCES `meeting_slots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `users` ADD `time_zone_source` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `last_signed_in_at` integer;