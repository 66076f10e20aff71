# frozen_string_literal: true

class ReminderMailWorker
  include Sidekiq::Job

  def perform(user_id)
    UserMailer.with(user_id: user_id).reminder.deliver_now
  end
end

class ReminderWorker
  include Sidekiq::Job

  def perform(user_id)
    user = User.find(user_id)
    batch = Sidekiq::Batch.new
    batch.jobs do # expect: B2F309
      ReminderMailWorker.perform_async(user.id) if user.subscribed?
    end
    cleanup = Sidekiq::Batch.new
    cleanup.jobs do # expect: B2F309
    end
  end
end
