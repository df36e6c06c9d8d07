CREATE TABLE `assessment_edition_items` (
	`edition_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`source_reliability` text NOT NULL,
	`information_credibility` text NOT NULL,
	PRIMARY KEY(`edition_id`, `item_id`),
	FOREIGN KEY (`edition_id`) REFERENCES `assessment_editions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `threat_input_items`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `assessment_edition_items_item_idx` ON `assessment_edition_items` (`item_id`);--> statement-breakpoint
ALTER TABLE `consultation_invitees` ADD `organisation_id` integer REFERENCES organisations(id);--> statement-breakpoint
-- An invitee's first look at a consultation is kept in the audit log from now on (a page view
-- writes nothing else): the first looks recorded so far move there.
INSERT INTO `audit_events` (`at`, `actor_user_id`, `action`, `target_type`, `target_id`)
  SELECT `viewed_at`, `user_id`, 'consultation.viewed', 'consultation', CAST(`consultation_id` AS TEXT)
  FROM `consultation_invitees` WHERE `viewed_at` IS NOT NULL;--> statement-breakpoint
ALTER TABLE `consultation_invitees` DROP COLUMN `viewed_at`;--> statement-breakpoint
ALTER TABLE `organisations` ADD `aliases` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `consultation_id` integer REFERENCES consultations(id);--> statement-breakpoint
ALTER TABLE `outbox` ADD `recipient_user_id` integer REFERENCES users(id);--> statement-breakpoint
CREATE INDEX `audit_events_target_idx` ON `audit_events` (`target_type`,`target_id`);--> statement-breakpoint
-- A by-name invitation holds for the organisation the person was in; the rows written before
-- this change take the organisation the person is in now.
UPDATE `consultation_invitees` SET `organisation_id` = (SELECT `organisation_id` FROM `users` WHERE `users`.`id` = `consultation_invitees`.`user_id`);--> statement-breakpoint
-- Published editions kept their items as JSON; they now keep them as rows, with the grades then.
INSERT INTO `assessment_edition_items` (`edition_id`, `item_id`, `source_reliability`, `information_credibility`)
  SELECT `assessment_editions`.`id`, json_extract(`item`.`value`, '$.id'), json_extract(`item`.`value`, '$.sourceReliability'), json_extract(`item`.`value`, '$.informationCredibility')
  FROM `assessment_editions`, json_each(`assessment_editions`.`snapshot`, '$.items') AS `item`
  WHERE `assessment_editions`.`status` = 'published';--> statement-breakpoint
UPDATE `assessment_editions` SET `snapshot` = json_object('merges', json(coalesce(json_extract(`snapshot`, '$.merges'), '[]'))) WHERE `snapshot` IS NOT NULL;
