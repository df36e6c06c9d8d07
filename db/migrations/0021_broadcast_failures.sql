ALTER TABLE `broadcasts` ADD `failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `set_aside_at` integer;