CREATE TABLE `edition_page_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
-- The version an edition's page is computed at (docs/decisions/030): every insert, update and
-- delete on a table the page reads moves it, whichever connection or path writes, so that a page
-- kept for a version is never served once what it was computed from changed.
-- tests/unit/edition-page-version.test.ts derives the tables from the SQL the pages run.
INSERT INTO `edition_page_version` (`id`, `version`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_editions_insert AFTER INSERT ON assessment_editions
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_editions_update AFTER UPDATE ON assessment_editions
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_editions_delete AFTER DELETE ON assessment_editions
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_consultations_insert AFTER INSERT ON assessment_edition_consultations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_consultations_update AFTER UPDATE ON assessment_edition_consultations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_consultations_delete AFTER DELETE ON assessment_edition_consultations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_items_insert AFTER INSERT ON assessment_edition_items
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_items_update AFTER UPDATE ON assessment_edition_items
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_items_delete AFTER DELETE ON assessment_edition_items
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_figures_insert AFTER INSERT ON assessment_edition_figures
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_figures_update AFTER UPDATE ON assessment_edition_figures
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_figures_delete AFTER DELETE ON assessment_edition_figures
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_reader_figures_insert AFTER INSERT ON assessment_edition_reader_figures
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_reader_figures_update AFTER UPDATE ON assessment_edition_reader_figures
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_edition_reader_figures_delete AFTER DELETE ON assessment_edition_reader_figures
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_overrides_insert AFTER INSERT ON assessment_overrides
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_overrides_update AFTER UPDATE ON assessment_overrides
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_assessment_overrides_delete AFTER DELETE ON assessment_overrides
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_entity_merges_insert AFTER INSERT ON entity_merges
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_entity_merges_update AFTER UPDATE ON entity_merges
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_entity_merges_delete AFTER DELETE ON entity_merges
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_target_proposals_insert AFTER INSERT ON target_proposals
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_target_proposals_update AFTER UPDATE ON target_proposals
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_target_proposals_delete AFTER DELETE ON target_proposals
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_target_evidence_insert AFTER INSERT ON target_evidence
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_target_evidence_update AFTER UPDATE ON target_evidence
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_target_evidence_delete AFTER DELETE ON target_evidence
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_consultations_insert AFTER INSERT ON consultations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_consultations_update AFTER UPDATE ON consultations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_consultations_delete AFTER DELETE ON consultations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_organisations_insert AFTER INSERT ON organisations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_organisations_update AFTER UPDATE ON organisations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_organisations_delete AFTER DELETE ON organisations
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_users_insert AFTER INSERT ON users
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_users_update AFTER UPDATE ON users
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_users_delete AFTER DELETE ON users
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_inputs_insert AFTER INSERT ON threat_inputs
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_inputs_update AFTER UPDATE ON threat_inputs
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_inputs_delete AFTER DELETE ON threat_inputs
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_versions_insert AFTER INSERT ON threat_input_versions
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_versions_update AFTER UPDATE ON threat_input_versions
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_versions_delete AFTER DELETE ON threat_input_versions
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_items_insert AFTER INSERT ON threat_input_items
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_items_update AFTER UPDATE ON threat_input_items
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_items_delete AFTER DELETE ON threat_input_items
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_indicators_insert AFTER INSERT ON threat_input_indicators
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_indicators_update AFTER UPDATE ON threat_input_indicators
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_indicators_delete AFTER DELETE ON threat_input_indicators
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_item_entities_insert AFTER INSERT ON threat_input_item_entities
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_item_entities_update AFTER UPDATE ON threat_input_item_entities
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_item_entities_delete AFTER DELETE ON threat_input_item_entities
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_item_recipients_insert AFTER INSERT ON threat_input_item_recipients
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_item_recipients_update AFTER UPDATE ON threat_input_item_recipients
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_threat_input_item_recipients_delete AFTER DELETE ON threat_input_item_recipients
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_reported_subjects_insert AFTER INSERT ON reported_subjects
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_reported_subjects_update AFTER UPDATE ON reported_subjects
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_reported_subjects_delete AFTER DELETE ON reported_subjects
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_member_agencies_insert AFTER INSERT ON member_agencies
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_member_agencies_update AFTER UPDATE ON member_agencies
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_member_agencies_delete AFTER DELETE ON member_agencies
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_edition_releases_insert AFTER INSERT ON edition_releases
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_edition_releases_update AFTER UPDATE ON edition_releases
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER edition_page_version_edition_releases_delete AFTER DELETE ON edition_releases
BEGIN
  UPDATE edition_page_version SET version = version + 1;
END;
