-- A campaign committee's roll-up row now holds only the committee's own
-- obligations; its line is that row plus its sub-units' rows, summed when
-- read (campaign::tally). Every report updated the one row before, and on
-- PostgreSQL concurrent reports queued on its lock until each commit was
-- on disk. The kept row was its own part plus its sub-units' rows: take
-- those away.
UPDATE campaign_tally SET
  units = units - (SELECT COALESCE(SUM(k.units), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  scheduled = scheduled - (SELECT COALESCE(SUM(k.scheduled), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  held = held - (SELECT COALESCE(SUM(k.held), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  programme = programme - (SELECT COALESCE(SUM(k.programme), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  reported = reported - (SELECT COALESCE(SUM(k.reported), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  late = late - (SELECT COALESCE(SUM(k.late), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  roll = roll - (SELECT COALESCE(SUM(k.roll), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  in_scope = in_scope - (SELECT COALESCE(SUM(k.in_scope), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  present = present - (SELECT COALESCE(SUM(k.present), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  absent_excused = absent_excused - (SELECT COALESCE(SUM(k.absent_excused), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  absent_unexcused = absent_unexcused - (SELECT COALESCE(SUM(k.absent_unexcused), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  makeup = makeup - (SELECT COALESCE(SUM(k.makeup), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  non_members = non_members - (SELECT COALESCE(SUM(k.non_members), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id),
  reflections = reflections - (SELECT COALESCE(SUM(k.reflections), 0) FROM campaign_tally k
    WHERE k.campaign_id = campaign_tally.campaign_id AND k.parent_id = campaign_tally.unit_id)
WHERE EXISTS (SELECT 1 FROM campaign c
  WHERE c.id = campaign_tally.campaign_id AND c.unit_id = campaign_tally.unit_id);
