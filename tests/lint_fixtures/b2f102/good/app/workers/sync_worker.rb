# frozen_string_literal: true

class SyncCallback
  def on_success(_status, options)
    Account.find(options['account_id']).synced!
  end

  def on_complete(_status, options)
    Account.find(options['account_id']).sync_finished!
  end
end

class SyncAlerts
  def page(_status, options)
    Pager.alert("sync of #{options['account_id']} died")
  end
end

class SyncPageWorker
  include Sidekiq::Job

  def perform(account_id, page)
    Account.find(account_id).sync_page(page)
  end
end

class SyncWorker
  include Sidekiq::Job

  def perform(account_id)
    batch = Sidekiq::Batch.new
    batch.on(:success, SyncCallback, 'account_id' => account_id)
    batch.on(:complete, SyncCallback, 'account_id' => account_id)
    batch.on(:death, 'SyncAlerts#page', 'account_id' => account_id)
    batch.jobs do
      SyncPageWorker.perform_async(account_id, 1)
    end
  end
end
