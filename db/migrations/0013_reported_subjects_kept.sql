-- reported_subjects (docs/decisions/026) is kept here, by triggers, so that no write path can
-- forget it: an input's state changing (submitted, revised, withdrawn) moves its current
-- version's mentions in or out; a mention written or removed on its own (the start-up indexing
-- of older items) counts when its input stands. An input being deleted (with its consultation)
-- takes its mentions out before the cascade removes them: by then the rows they join through
-- are gone. (SQLite runs these for cascaded deletes too.) Versions and items are frozen once
-- written, so nothing else changes what counts.
CREATE TRIGGER reported_subjects_input_changed AFTER UPDATE OF status, current_version ON threat_inputs
WHEN OLD.status IS NOT NEW.status OR OLD.current_version IS NOT NEW.current_version
BEGIN
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT 'indicator', mention.type, mention.value, OLD.organisation_id, -count(*)
  FROM threat_input_versions version
    INNER JOIN threat_input_items item ON item.version_id = version.id
    INNER JOIN threat_input_indicators mention ON mention.item_id = item.id
  WHERE OLD.status = 'submitted' AND version.input_id = OLD.id AND version.number = OLD.current_version AND item.tlp <> 'TLP:RED'
  GROUP BY mention.type, mention.value
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT mention.kind, '', mention.key, OLD.organisation_id, -count(*)
  FROM threat_input_versions version
    INNER JOIN threat_input_items item ON item.version_id = version.id
    INNER JOIN threat_input_item_entities mention ON mention.item_id = item.id
  WHERE OLD.status = 'submitted' AND version.input_id = OLD.id AND version.number = OLD.current_version AND item.tlp <> 'TLP:RED'
  GROUP BY mention.kind, mention.key
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT 'indicator', mention.type, mention.value, NEW.organisation_id, count(*)
  FROM threat_input_versions version
    INNER JOIN threat_input_items item ON item.version_id = version.id
    INNER JOIN threat_input_indicators mention ON mention.item_id = item.id
  WHERE NEW.status = 'submitted' AND version.input_id = NEW.id AND version.number = NEW.current_version AND item.tlp <> 'TLP:RED'
  GROUP BY mention.type, mention.value
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT mention.kind, '', mention.key, NEW.organisation_id, count(*)
  FROM threat_input_versions version
    INNER JOIN threat_input_items item ON item.version_id = version.id
    INNER JOIN threat_input_item_entities mention ON mention.item_id = item.id
  WHERE NEW.status = 'submitted' AND version.input_id = NEW.id AND version.number = NEW.current_version AND item.tlp <> 'TLP:RED'
  GROUP BY mention.kind, mention.key
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
END;
--> statement-breakpoint
CREATE TRIGGER reported_subjects_input_deleted BEFORE DELETE ON threat_inputs
BEGIN
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT 'indicator', mention.type, mention.value, OLD.organisation_id, -count(*)
  FROM threat_input_versions version
    INNER JOIN threat_input_items item ON item.version_id = version.id
    INNER JOIN threat_input_indicators mention ON mention.item_id = item.id
  WHERE OLD.status = 'submitted' AND version.input_id = OLD.id AND version.number = OLD.current_version AND item.tlp <> 'TLP:RED'
  GROUP BY mention.type, mention.value
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT mention.kind, '', mention.key, OLD.organisation_id, -count(*)
  FROM threat_input_versions version
    INNER JOIN threat_input_items item ON item.version_id = version.id
    INNER JOIN threat_input_item_entities mention ON mention.item_id = item.id
  WHERE OLD.status = 'submitted' AND version.input_id = OLD.id AND version.number = OLD.current_version AND item.tlp <> 'TLP:RED'
  GROUP BY mention.kind, mention.key
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
END;
--> statement-breakpoint
CREATE TRIGGER reported_subjects_indicator_added AFTER INSERT ON threat_input_indicators
BEGIN
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT 'indicator', NEW.type, NEW.value, input.organisation_id, 1
  FROM threat_input_items item
    INNER JOIN threat_input_versions version ON version.id = item.version_id
    INNER JOIN threat_inputs input ON input.id = version.input_id AND input.current_version = version.number AND input.status = 'submitted'
  WHERE item.id = NEW.item_id AND item.tlp <> 'TLP:RED'
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
END;
--> statement-breakpoint
CREATE TRIGGER reported_subjects_indicator_removed AFTER DELETE ON threat_input_indicators
BEGIN
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT 'indicator', OLD.type, OLD.value, input.organisation_id, -1
  FROM threat_input_items item
    INNER JOIN threat_input_versions version ON version.id = item.version_id
    INNER JOIN threat_inputs input ON input.id = version.input_id AND input.current_version = version.number AND input.status = 'submitted'
  WHERE item.id = OLD.item_id AND item.tlp <> 'TLP:RED'
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
END;
--> statement-breakpoint
CREATE TRIGGER reported_subjects_entity_added AFTER INSERT ON threat_input_item_entities
BEGIN
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT NEW.kind, '', NEW.key, input.organisation_id, 1
  FROM threat_input_items item
    INNER JOIN threat_input_versions version ON version.id = item.version_id
    INNER JOIN threat_inputs input ON input.id = version.input_id AND input.current_version = version.number AND input.status = 'submitted'
  WHERE item.id = NEW.item_id AND item.tlp <> 'TLP:RED'
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
END;
--> statement-breakpoint
CREATE TRIGGER reported_subjects_entity_removed AFTER DELETE ON threat_input_item_entities
BEGIN
  INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
  SELECT OLD.kind, '', OLD.key, input.organisation_id, -1
  FROM threat_input_items item
    INNER JOIN threat_input_versions version ON version.id = item.version_id
    INNER JOIN threat_inputs input ON input.id = version.input_id AND input.current_version = version.number AND input.status = 'submitted'
  WHERE item.id = OLD.item_id AND item.tlp <> 'TLP:RED'
  ON CONFLICT DO UPDATE SET items = items + excluded.items;
END;
--> statement-breakpoint
-- What the inputs already in the database count.
INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
SELECT 'indicator', mention.type, mention.value, input.organisation_id, count(*)
FROM threat_inputs input
  INNER JOIN threat_input_versions version ON version.input_id = input.id AND version.number = input.current_version
  INNER JOIN threat_input_items item ON item.version_id = version.id
  INNER JOIN threat_input_indicators mention ON mention.item_id = item.id
WHERE input.status = 'submitted' AND item.tlp <> 'TLP:RED'
GROUP BY mention.type, mention.value, input.organisation_id;
--> statement-breakpoint
INSERT INTO reported_subjects (kind, type, value, organisation_id, items)
SELECT mention.kind, '', mention.key, input.organisation_id, count(*)
FROM threat_inputs input
  INNER JOIN threat_input_versions version ON version.input_id = input.id AND version.number = input.current_version
  INNER JOIN threat_input_items item ON item.version_id = version.id
  INNER JOIN threat_input_item_entities mention ON mention.item_id = item.id
WHERE input.status = 'submitted' AND item.tlp <> 'TLP:RED'
GROUP BY mention.kind, mention.key, input.organisation_id;
