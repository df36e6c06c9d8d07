CREATE TABLE `broadcast_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`broadcast_id` integer NOT NULL,
	`entry` text NOT NULL,
	FOREIGN KEY (`broadcast_id`) REFERENCES `broadcasts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `broadcast_entries_broadcast_idx` ON `broadcast_entries` (`broadcast_id`,`id`);--> statement-breakpoint
-- Notices still waiting carry their versions in the payload's list: they move to the entries.
INSERT INTO `broadcast_entries` (`broadcast_id`, `entry`)
  SELECT `broadcasts`.`id`, `list`.`value` FROM `broadcasts`, json_each(`broadcasts`.`payload`, '$.inputs') AS `list`
  WHERE `broadcasts`.`kind` = 'threat-input-notices' AND `broadcasts`.`done_at` IS NULL ORDER BY `broadcasts`.`id`, `list`.`key`;
--> statement-breakpoint
UPDATE `broadcasts` SET `payload` = json_remove(`payload`, '$.inputs') WHERE `kind` = 'threat-input-notices' AND `done_at` IS NULL;
